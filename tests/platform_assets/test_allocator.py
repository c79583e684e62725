"""allocator: every process that loads the platform serves large blocks by mmap, freed ones included."""

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
if sys.argv[1] == "platform":
    import platform_assets.processors.hashing  # any module of the platform installs it
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                 "fsmblks", "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = Info
libc.free(libc.malloc(16 << 20))  # glibc would now raise its mmap threshold to 16 MB
block = libc.malloc(8 << 20)
print(libc.mallinfo2().hblkhd >= 8 << 20)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
@pytest.mark.parametrize(("loaded", "mapped"), [("platform", "True"), ("bare", "False")])
def test_a_freed_large_block_does_not_send_later_ones_to_the_heap(loaded, mapped):
    out = subprocess.run([sys.executable, "-c", PROBE, loaded], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == mapped
