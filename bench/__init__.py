"""Benchmarks (`make bench`, `python -m bench [names] [--quick]`): each module exposes `main(argv)`."""
