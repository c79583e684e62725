"""The `maslow audit | trace | status | similar` subcommands: argument parsing and printing."""

from __future__ import annotations

import argparse
import json

import dagster as dg

from platform_assets import settings


def _instance() -> dg.DagsterInstance:
    import os

    from platform_assets.cli.dagster_home import ensure_dagster_home

    os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(settings.dagster_home()))
    return dg.DagsterInstance.get()


def _defs() -> dg.Definitions:
    from platform_assets.definitions import build_defs

    return build_defs()


def partition_columns(defs: dg.Definitions) -> dict[str, list[str]]:
    """`{asset: [partition column, ...]}` from each asset's `partition_expr` metadata."""
    graph = defs.resolve_asset_graph()
    out = {}
    for key in graph.get_all_asset_keys():
        expr = (graph.get(key).metadata or {}).get("partition_expr")
        if expr is not None:
            out[key.to_user_string()] = list(expr.values()) if isinstance(expr, dict) else [expr]
    return out


def no_such_asset(name: str, graph) -> str | None:
    """"no such asset 'x'; did you mean ..." when `name` is not an asset of the graph, else None."""
    from resources.sql_diagnostics import no_such_asset as message

    names = {k.to_user_string() for k in graph.materializable_asset_keys}
    return None if name in names else message(name, names)


def audit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("asset", help="asset key, e.g. mixtures or clean_documents")
    parser.add_argument("--partition", help="partition key (a day, an eval set, a mixture name)")
    parser.add_argument("--json", action="store_true", help="print the tree as JSON")
    parser.add_argument("--verify", action="store_true",
                        help="re-read every pinned Lance version and compare content hashes")


def audit(args: argparse.Namespace) -> int:
    from platform_assets.cli.lineage import audit as lineage
    from resources.lance_io_manager import LanceIOManager

    graph = _defs().resolve_asset_graph()
    unknown = no_such_asset(args.asset, graph)
    if unknown:
        print(f"maslow audit: {unknown}")
        return 2
    with _instance() as instance:
        try:
            tree = lineage.audit(instance, args.asset, args.partition)
        except LookupError as e:
            print(f"maslow audit: {e}")
            return 2
        if args.partition is None and tree.partition is not None and not args.json:
            print(f"(no --partition given: {args.asset} [{tree.partition}], its latest materialization)")
        bad = []
        if args.verify:
            io = LanceIOManager(root_uri=settings.lake_uri())
            bad = lineage.verify(tree, io, partition_columns(_defs()))
    print(json.dumps(tree.to_dict(), indent=2) if args.json else lineage.render(tree))
    if args.verify:
        checked = sum(1 for _ in tree.walk())
        print(f"\nverify: {checked - len(bad)}/{checked} pinned versions match their recorded content hash")
        for node in bad:
            print(f"  MISMATCH {node.asset} [{node.partition or '-'}] v{node.lance_version}: {node.problem}")
    return 1 if bad else 0


def trace_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("doc_id", help="the document's doc_id")
    parser.add_argument("--json", action="store_true")


def trace(args: argparse.Namespace) -> int:
    from platform_assets.cli.lineage import trace as lineage

    found = lineage.trace(settings.lake_uri(), args.doc_id)
    print(json.dumps(found, indent=2, default=str) if args.json else lineage.render(args.doc_id, found))
    return 0 if found else 1


def status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def status(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from platform_assets.cli.lineage import status as lineage

    with _instance() as instance:
        rows = lineage.status(instance, _defs())
    import shutil
    import sys

    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(json.dumps([asdict(r) for r in rows], indent=2) if args.json else lineage.render(rows, width))
    return 0


def similar_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("doc_id", nargs="?", help="a clean document's doc_id")
    parser.add_argument("--text", help="find documents like this text instead of a doc_id")
    parser.add_argument("-k", type=int, default=10, help="how many neighbours (default 10)")
    parser.add_argument("--where", help="Lance filter over doc_id, day, domain, e.g. \"domain = 'code'\"")
    parser.add_argument("--json", action="store_true")


def similar(args: argparse.Namespace) -> int:
    from platform_assets.cli.lineage import similar as mlt
    from resources import build_embedder
    from resources.embedder import EmbedderResource

    if (args.doc_id is None) == (args.text is None):
        print("maslow similar: give a doc_id or --text, not both")
        return 2

    def encoder(name: str):
        return EmbedderResource(encoder=name, device=build_embedder().device).get_encoder()

    try:
        found = mlt.more_like_this(settings.lake_uri(), doc_id=args.doc_id, text=args.text, k=args.k,
                                   where=args.where, encoder=encoder)
    except LookupError as e:
        print(f"maslow similar: {e}")
        return 2
    query = args.doc_id or repr(args.text[:60])
    print(json.dumps([n.to_dict() for n in found], indent=2) if args.json else mlt.render(query, found))
    return 0
