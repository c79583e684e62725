"""`python -m bench [NAME ...] [--quick]`: run every bench module in bench/, or the ones named.

A bench module is any `bench/<name>.py` (not private, not `common`) that defines `main(argv)`.
`--quick` is passed through for a small smoke run. One failing bench does not stop the others;
the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

_NOT_BENCHES = {"common"}


def discover() -> dict[str, Callable[[list[str]], object]]:
    """Bench name -> its `main`, for every module in this folder that has one."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_") or info.name in _NOT_BENCHES:
            continue
        try:
            main = getattr(importlib.import_module(f"bench.{info.name}"), "main", None)
        except Exception as exc:  # a broken bench fails when run, not the whole discovery
            main = _raiser(exc)
        if callable(main):
            found[info.name] = main
    return dict(sorted(found.items()))


def _raiser(exc: Exception) -> Callable[[list[str]], object]:
    def main(_argv: list[str]) -> object:
        raise exc

    return main


def _failed(outcome: object) -> bool:
    return isinstance(outcome, int) and not isinstance(outcome, bool) and outcome != 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="bench modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    benches = discover()
    unknown = sorted(set(args.names) - set(benches))
    if unknown:
        parser.error(f"unknown bench {', '.join(unknown)}; available: {', '.join(benches)}")
    failures = []
    for name in args.names or list(benches):
        print(f"=== bench {name}{' (quick)' if args.quick else ''}", flush=True)
        start = time.perf_counter()
        try:
            outcome = benches[name](["--quick"] if args.quick else [])
        except SystemExit as exc:  # a bench's argparse or an explicit exit
            outcome = exc.code
        except Exception:
            traceback.print_exc()
            outcome = 1
        if _failed(outcome):
            failures.append(name)
        status = "FAILED" if _failed(outcome) else "done"
        print(f"=== {name}: {status} in {time.perf_counter() - start:.1f} s\n")
    if failures:
        print(f"failed benches: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
