"""`maslow label export | push | pull | import QUEUE`: labeling tasks out, annotations back in.

export   the queue's tasks (labeling_queue) as Label Studio task JSON, JSONL and CSV files
push     creates or updates the queue's Label Studio project (generated labeling config, model version)
         and imports the tasks it lacks, with the model suggestion as a prediction
pull     Label Studio's JSON export of the project into `<landing>/_labels/<queue>/`, where the labels
         sensor (or `--import`) picks it up
import   materializes human_labels and adjudicated_labels for the queue now (what the sensor launches)
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa

from platform_assets import settings

FORMATS = ("ls", "jsonl", "csv")


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["export", "push", "pull", "import"])
    parser.add_argument("queue", help="queue name (a file in dbt_like_sql/labeling/)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="export: folder for the files (default $MASLOW_HOME/labeling/<queue>)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        action="append",
        help="export: ls (Label Studio task JSON), jsonl, csv; repeatable (default all)",
    )
    parser.add_argument(
        "--import",
        dest="run_import",
        action="store_true",
        help="pull: import the pulled file into human_labels right away",
    )


def queue_tasks(queue: str) -> pa.Table:
    """The queue's rows of `labeling_queue`, in task order."""
    from resources.lance_datasets import dataset_uri, open_dataset
    from resources.lance_filters import sql_literal

    ds = open_dataset(dataset_uri(settings.lake_uri(), ["labeling_queue"]))
    table = None if ds is None else ds.to_table(filter=f"queue = {sql_literal(queue)}")
    if table is None or table.num_rows == 0:
        raise SystemExit(
            f"labeling_queue has no tasks for {queue!r}: materialize labeling_queue[{queue}] first"
        )
    return table.sort_by("position")


def _spec(queue: str):
    from platform_assets.labeling import spec as specs

    files = specs.spec_files()
    if queue not in files:
        raise SystemExit(f"no queue spec {queue}.yaml in {settings.spec_dir() / specs.SPEC_FOLDER}")
    return specs.load_queue(files[queue])


def export_files(queue: str, out: Path, formats: list[str]) -> list[Path]:
    from platform_assets.processors.labeling import export

    spec, tasks = _spec(queue), queue_tasks(queue)
    out.mkdir(parents=True, exist_ok=True)
    texts = {
        "ls": (
            "tasks.json",
            lambda: json.dumps(
                export.ls_tasks(tasks, spec.question.kind, spec.question.name), indent=1, ensure_ascii=False
            ),
        ),
        "jsonl": ("tasks.jsonl", lambda: export.jsonl(tasks)),
        "csv": ("tasks.csv", lambda: export.csv_text(tasks)),
    }
    written = []
    for fmt in formats:
        name, make = texts[fmt]
        (out / name).write_text(make(), encoding="utf-8")
        written.append(out / name)
    return written


def label_studio():
    from resources import build_label_studio

    resource = build_label_studio()
    if not settings.current().label_studio_token:
        raise SystemExit(
            "MASLOW_LABEL_STUDIO_TOKEN is not set (make label-studio prints the one it started with)"
        )
    return resource.process_config_and_initialize()


def push(queue: str, ls=None) -> tuple[dict, int]:
    """Creates or updates the project and imports new tasks; returns (project, tasks imported)."""
    from platform_assets.processors.labeling import export

    ls = ls or label_studio()
    spec, tasks = _spec(queue), queue_tasks(queue)
    q = spec.question
    versions = [v for v in tasks.column("model_version").to_pylist() if v]
    project, _ = ls.ensure_project(
        queue,
        export.labeling_config(q.kind, q.name, q.prompt, q.choices, q.scale),
        versions[0] if versions else None,
        spec.description,
        spec.overlap.annotators if spec.overlap.fraction else 1,
    )
    return project, ls.import_tasks(project["id"], export.ls_tasks(tasks, q.kind, q.name))


def pull(queue: str, ls=None) -> tuple[Path, int]:
    """Writes the project's export into the queue's landing folder atomically; returns (file, annotations)."""
    from platform_assets.labeling.human_labels import labels_dir

    ls = ls or label_studio()
    project = ls.find_project(queue)
    if project is None:
        raise SystemExit(f"Label Studio has no project for queue {queue!r}: run `maslow label push {queue}`")
    tasks = ls.export(project["id"])
    folder = labels_dir(queue)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"label-studio-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.json"
    tmp = folder / f".{path.name}.tmp"  # dot files are never read, so a half-written export is invisible
    tmp.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    tmp.rename(path)
    return path, sum(len(t.get("annotations", [])) for t in tasks)


def import_now(queue: str, instance: dg.DagsterInstance | None = None) -> dict:
    """Materializes human_labels and adjudicated_labels for `queue`; returns their metadata by asset."""
    from platform_assets.cli.runner import QUIET
    from platform_assets.definitions import build_defs

    defs = build_defs()
    keys = [dg.AssetKey("human_labels"), dg.AssetKey("adjudicated_labels")]
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        asset_selection=keys, partition_key=queue, instance=instance, run_config=QUIET
    )
    return {
        e.asset_key.to_user_string(): {
            k: getattr(v, "value", v) for k, v in e.materialization.metadata.items()
        }
        for e in result.get_asset_materialization_events()
    }


def run(args: argparse.Namespace) -> int:
    if args.action == "export":
        out = args.out or settings.maslow_home() / "labeling" / args.queue
        for path in export_files(args.queue, out, args.format or list(FORMATS)):
            print(path)
    elif args.action == "push":
        project, added = push(args.queue)
        print(
            f"project {project['id']} ({project['title']}): {added} new tasks imported; annotate at "
            f"{label_studio().url.rstrip('/')}/projects/{project['id']}/data"
        )
    elif args.action == "pull":
        path, count = pull(args.queue)
        print(f"{count} annotations exported to {path}")
        if args.run_import:
            _print_import(args.queue)
    else:
        _print_import(args.queue)
    return 0


def _print_import(queue: str) -> None:
    from platform_assets.cli.lineage.commands import _instance

    with _instance() as instance:
        meta = import_now(queue, instance)
    labels, agree = meta.get("human_labels", {}), meta.get("adjudicated_labels", {})
    print(
        f"human_labels: {labels.get('labels/new_rows')} new annotations, label version "
        f"{labels.get('labels/version')} ({labels.get('labels/tag', '-')})"
    )
    for key in (
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "model_gold_accuracy",
        "suggestion_acceptance",
    ):
        print(f"  {key}: {agree.get(f'agreement/{key}')}")
