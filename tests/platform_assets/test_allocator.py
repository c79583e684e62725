"""allocator: every process that loads the platform serves large blocks by mmap, freed ones included."""

import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
if sys.argv[1] in ("platform", "streaming"):
    import platform_assets.processors.hashing  # any module of the platform installs it
size = 8 << 20
if sys.argv[1] == "streaming":
    import pyarrow as pa
    from platform_assets import allocator
    assert allocator.install_streaming() and pa.default_memory_pool().backend_name == "system"
    size = 1 << 20  # under the platform's 4 MB, over the streaming 128 KB
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                 "fsmblks", "uordblks", "fordblks", "keepcost")]
libc.mallinfo2.restype = Info
libc.free(libc.malloc(16 << 20))  # glibc would now raise its mmap threshold to 16 MB
block = libc.malloc(size)
print(libc.mallinfo2().hblkhd >= size)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
@pytest.mark.parametrize(("loaded", "mapped"), [("platform", "True"), ("bare", "False"),
                                                    ("streaming", "True")])
def test_a_freed_large_block_does_not_send_later_ones_to_the_heap(loaded, mapped):
    out = subprocess.run([sys.executable, "-c", PROBE, loaded], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == mapped
