"""The sandbox really limits CPU, memory, wall time, network and environment."""

import time

from platform_assets.processors import sandbox

FAST = sandbox.Limits(cpu_s=1, memory_mb=256, wall_s=90)  # wall far above cpu: a loaded machine is slow


def test_passing_and_failing_programs():
    assert sandbox.run("assert sum([1, 2]) == 3", FAST).status == "passed"
    failed = sandbox.run("assert sum([1, 2]) == 4", FAST)
    assert failed.status == "failed" and "AssertionError" in failed.stderr


def test_infinite_loop_is_killed_by_the_cpu_limit_well_before_the_wall_clock():
    started = time.monotonic()
    out = sandbox.run("while True:\n    pass\n", FAST)
    assert out.status == "cpu_limit" and time.monotonic() - started < 90


def test_sleeping_program_is_killed_at_the_wall_clock():
    started = time.monotonic()
    out = sandbox.run("import time\ntime.sleep(60)\n", sandbox.Limits(wall_s=1.0))
    assert out.status == "timeout" and time.monotonic() - started < 10


def test_memory_hog_hits_the_address_space_limit():
    out = sandbox.run("blocks = [bytearray(32 << 20) for _ in range(64)]\n", FAST)
    assert out.status == "memory_limit"


def test_no_network_no_subprocess_no_secrets_and_an_empty_cwd(monkeypatch):
    monkeypatch.setenv("MASLOW_LLM_API_KEY", "sk-secret")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    sock = sandbox.run("import socket\ns = socket.create_connection(('127.0.0.1', 9))\n", FAST)
    assert sock.status == "failed" and "not allowed" in sock.stderr
    spawn = sandbox.run("import subprocess\nsubprocess.run(['true'])\n", FAST)
    assert spawn.status == "failed" and "not allowed" in spawn.stderr
    env = sandbox.run("import os\nassert not [k for k in os.environ if 'KEY' in k or 'PROXY' in k.upper()]"
                      "\nassert os.listdir('.') == ['program.py'], os.listdir('.')\n", FAST)
    assert env.passed, env.stderr


def test_network_namespace_has_no_route_out_when_available():
    if not sandbox.network_isolated():
        return  # the audit hook above is the guard on this kernel
    program = ("names = [line.split(':')[0].strip() for line in open('/proc/self/net/dev').readlines()[2:]]\n"
               "assert names == ['lo'], names\n")
    out = sandbox.run(program, FAST)
    assert out.passed, out.stderr


def test_run_many_keeps_input_order():
    outs = sandbox.run_many([f"assert {i} % 2 == 0" for i in range(6)], FAST, workers=3)
    assert [o.passed for o in outs] == [True, False, True, False, True, False]
