"""Two SIMULATED annotators for the demo's quality_review queue: deterministic, and named as simulated.

They are not people. Each applies a written rubric to the text (not the model's score, so their labels
carry information the model lacks), with its own strictness, a few answers flipped by a seeded hash
(honest disagreement) and, for annotator b, a share of tasks where it just accepts the suggestion shown
(automation bias, which the acceptance rate in `adjudicated_labels` is there to expose). Each writes one
JSONL file into `<landing>/_labels/<queue>/`, the format a person's export would have.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from platform_assets.processors.hashing import hash64, unit_interval

SPAM = re.compile(r"click here|buy now|free shipping|subscribe|limited (time )?offer|best price|!!|\$\d|\|",
                  re.IGNORECASE)
STOP_WORDS = {"the", "be", "to", "of", "and", "a", "in", "that", "have", "it", "is", "for", "on", "with"}


@dataclass(frozen=True)
class SimulatedAnnotator:
    name: str
    strictness: float  # rubric points needed for "high"
    flip_rate: float  # share of answers flipped (seeded by item)
    accepts_suggestion: float  # share of tasks answered with the suggestion shown, unread
    lead_time_s: float


ANNOTATORS = (
    SimulatedAnnotator("simulated-annotator-a", strictness=3.0, flip_rate=0.06, accepts_suggestion=0.0,
                       lead_time_s=21.0),
    SimulatedAnnotator("simulated-annotator-b", strictness=3.5, flip_rate=0.10, accepts_suggestion=0.15,
                       lead_time_s=9.0),
)


def rubric(text: str) -> float:
    """-2..5 points: complete sentences, ordinary word lengths, function words, no spam cues, no repeats."""
    words = text.split()
    if len(words) < 20:
        return 0.0
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    mean_len = sum(len(w) for w in words) / len(words)
    points = float(len(sentences) >= 3)
    points += 3.0 <= mean_len <= 8.0
    points += sum(w.lower() in STOP_WORDS for w in words) / len(words) >= 0.08
    points += -2.0 if SPAM.search(text) else 1.0  # a sales pitch weighs more than the rest
    points += len(set(lines)) == len(lines)
    return points


def _draw(annotator: str, item: str, salt: str) -> float:
    return float(unit_interval(hash64([f"{annotator}\0{salt}\0{item}"]))[0])


def answer(who: SimulatedAnnotator, task: dict) -> str:
    if task["suggestion_label"] and _draw(who.name, task["item_id"], "accept") < who.accepts_suggestion:
        return task["suggestion_label"]
    label = "high" if rubric(task["text"] or "") >= who.strictness else "low"
    if _draw(who.name, task["item_id"], "flip") < who.flip_rate:
        label = "low" if label == "high" else "high"
    return label


def annotate(tasks: list[dict], folder: Path, created_at: str) -> list[Path]:
    """Annotator a answers every task, b the overlap tasks (the ones that need two blind answers); returns
    the JSONL files written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, who in enumerate(ANNOTATORS):
        lines = []
        for task in tasks:
            if n == 1 and task["overlap_group"] is None:
                continue
            lines.append({
                "id": f"{who.name}:{task['item_id']}", "item_id": task["item_id"], "task_id": task["task_id"],
                "annotator": who.name, "answer": answer(who, task), "lead_time": who.lead_time_s,
                "created_at": created_at, "suggestion": {"label": task["suggestion_label"],
                                                         "score": task["suggestion_score"],
                                                         "model_version": task["model_version"]}})
        path = folder / f"{who.name}.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
        paths.append(path)
    return paths
