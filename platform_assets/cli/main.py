"""The `maslow` command (also `python -m platform_assets.cli`): the entry point of the tools wing.

Each subcommand is two small functions, one adding its arguments and one running it (returning the exit
code), registered in COMMANDS below by module and function names; adding a subcommand is adding one entry
there. Only the chosen subcommand's module is imported, and it imports Dagster, Lance or the definitions
inside the functions that need them: `maslow --help` and `maslow demo-data` start in well under a second.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from platform_assets import settings
from platform_assets.cli.args import day, positive


@dataclass(frozen=True)
class Command:
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------------------------------ demo-data


def demo_data_arguments(parser: argparse.ArgumentParser) -> None:
    from platform_assets.cli.demo_data import DEFAULT_DOCS_PER_DAY

    parser.add_argument("--days", type=positive, default=3, help="number of daily partitions (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; same seed, same bytes (default 0)")
    parser.add_argument("--docs-per-day", type=positive, default=DEFAULT_DOCS_PER_DAY,
                        help=f"documents per day over all sources (default {DEFAULT_DOCS_PER_DAY})")
    parser.add_argument("--end-date", type=day, default=None,
                        help="last day written, YYYY-MM-DD (default: yesterday, the last complete day)")
    parser.add_argument("--landing", type=Path, default=None,
                        help="landing folder (default: $MASLOW_LANDING or $MASLOW_HOME/landing)")


def demo_data(args: argparse.Namespace) -> int:
    from platform_assets.cli.demo_data import generate, load_truth

    landing = args.landing or settings.landing_dir()
    started = time.perf_counter()
    path = generate(landing, args.days, args.seed, args.docs_per_day, args.end_date)
    truth = load_truth(landing, args.seed)
    records = sum(day["raw_records"] for day in truth["expected"].values())
    broken = sum(sum(day["quarantined"].values()) for day in truth["expected"].values())
    print(f"wrote {len(truth['files'])} files for {truth['days'][0]} .. {truth['days'][-1]} under {landing}: "
          f"{records} readable records, {broken} broken ones, in {time.perf_counter() - started:.1f} s")
    print(f"ground truth: {path}")
    return 0


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def init_home(args: argparse.Namespace) -> int:
    from platform_assets.cli.dagster_home import ensure_dagster_home

    print(ensure_dagster_home(settings.dagster_home()))
    return 0


def _lazy(module: str, name: str) -> Callable:
    """`module.name`, imported at its first call: `maslow X` imports X's module only (Dagster, Lance and the
    definitions cost seconds, `maslow --help` or `demo-data` need none of them)."""

    def call(arg):
        return getattr(importlib.import_module(f"platform_assets.cli.{module}"), name)(arg)

    return call


def _command(help: str, module: str, arguments: str = "arguments", run: str = "run") -> Command:
    return Command(help, _lazy(module, arguments), _lazy(module, run))


COMMANDS: dict[str, Command] = {
    "demo": _command("write demo data, materialize every asset for it, print a summary", "demo"),
    "demo-data": Command("write a realistic demo landing folder and its ground-truth file",
                         demo_data_arguments, demo_data),
    "backfill": _command("rematerialize a date range of the daily chain and what depends on it", "backfill"),
    "audit": _command("the lineage tree of a materialization; --verify re-hashes pinned versions",
                      "lineage.commands", "audit_arguments", "audit"),
    "trace": _command("where one document went: raw, clean or rejected, contamination, mixtures",
                      "lineage.commands", "trace_arguments", "trace"),
    "status": _command("per asset: materialized partitions, stale ones and why",
                       "lineage.commands", "status_arguments", "status"),
    "similar": _command("more like this: nearest documents by embedding (document_embeddings)",
                        "lineage.commands", "similar_arguments", "similar"),
    "report": _command("the corpus at a glance: one static HTML page of every analytics panel", "report"),
    "label": _command("labeling: export | push | pull | import a queue (dbt_like_sql/labeling/)", "label"),
    "label-studio": _command("start Label Studio (own venv) on 127.0.0.1 with SQLite", "label_studio_server"),
    "gc": _command("remove untagged Lance versions older than a retention (never a recorded one)", "gc"),
    "materialize": _command("materialize assets now: SELECTION [--partition P | --from DAY --to DAY]",
                            "materialize"),
    "validate": _command("check every spec (YAML fields, SQL, refs); one line per problem, non-zero exit",
                         "validate"),
    "init-home": Command("create DAGSTER_HOME under MASLOW_HOME (make ui runs it)", _no_arguments, init_home),
}


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; only the chosen command (the first word of `argv`) gets its arguments, so
    only its module is imported (every command is listed, with its help line, either way)."""
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    chosen = words[0] if words else None
    root = argparse.ArgumentParser(prog="maslow", description="LLM training data as Dagster assets in Lance")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="on an error, print the full trace too")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        subparser = sub.add_parser(name, help=command.help, description=command.help, parents=[common])
        if name == chosen:
            command.arguments(subparser)
    return root


def quiet() -> None:
    """Operator output only: Lance's Rust log at ERROR. Dagster's notices about its own APIs are already
    ignored: importing `platform_assets` installs platform_assets/quiet.py."""
    import os

    os.environ.setdefault("LANCE_LOG", "error")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser(argv).parse_args(argv)
    quiet()
    try:
        return COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - the one useful line; the trace only on request
        if args.verbose:
            traceback.print_exc()
        print(f"maslow {args.command}: {error_line(e)}", file=sys.stderr)
        if not args.verbose:
            print(f"(maslow {args.command} --verbose shows the full trace)", file=sys.stderr)
        return 1


def error_line(err: BaseException) -> str:
    """What went wrong, in the user's terms: the innermost cause's message (a spec error: one line per
    problem), without the wrappers Dagster adds around a failed step."""
    while err.__cause__ is not None and not hasattr(err, "problems"):
        err = err.__cause__
    user = getattr(getattr(err, "user_failure_data", None), "description", None)
    return user or str(err).strip() or type(err).__name__


if __name__ == "__main__":
    sys.exit(main())
