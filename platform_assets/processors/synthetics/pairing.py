"""Turning judged samples into candidate pairs; a candidate that makes no pair keeps its reason.

Ties never make a pair, and neither do two identical answers, so `chosen == rejected` cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby


@dataclass
class Judged:
    """Candidates (one dict each: doc_id, chosen_index, rejected_index, scores, verdicts, reason) and the
    judge's statistics for metadata (e.g. judge/flip_rate)."""

    candidates: list[dict]
    stats: dict = field(default_factory=dict)


def candidate(doc_id: str, judge: str, chosen: int | None = None, rejected: int | None = None,
              reason: str | None = None, detail: str | None = None, **extra) -> dict:
    row = {"doc_id": doc_id, "judge": judge, "chosen_index": chosen, "rejected_index": rejected,
           "chosen_score": None, "rejected_score": None, "margin": None, "chosen_verdict": None,
           "rejected_verdict": None, "verdict_ab": None, "verdict_ba": None, "reason": reason,
           "detail": detail}
    row.update(extra)
    return row


def groups(samples: list[dict]) -> list[list[int]]:
    """Sample positions grouped by consecutive doc_id (generators emit a prompt's samples together)."""
    return [[i for i, _ in g] for _, g in groupby(enumerate(samples), key=lambda p: p[1]["doc_id"])]


def pair_by_score(samples: list[dict], verdicts: list[tuple[bool, float, str]], pairing: str,
                  judge: str) -> Judged:
    """Verified answers against unverified ones. best_vs_worst: the best verified (highest score, then
    lowest index) against the worst unverified; all_pairs: every verified × unverified combination."""
    out = []
    for group in groups(samples):
        doc_id = samples[group[0]]["doc_id"]
        errors = [samples[i]["error"] for i in group if samples[i]["error"]]
        if len(errors) == len(group):
            out.append(candidate(doc_id, judge, reason="generation_failed", detail="; ".join(errors)))
            continue
        good = sorted((i for i in group if verdicts[i][0]), key=lambda i: (-verdicts[i][1], i))
        bad = sorted((i for i in group if not verdicts[i][0] and not samples[i]["error"]),
                     key=lambda i: (verdicts[i][1], i))
        if not good:
            out.append(candidate(doc_id, judge, reason="chosen_unverified",
                                 detail="; ".join(f"{samples[i]['sample_index']}: {verdicts[i][2]}"
                                                  for i in group)))
            continue
        if not bad:
            out.append(candidate(doc_id, judge, reason=errors[0] if errors else "no_failing_sample",
                                 detail="every answer verified" if not errors else None))
            continue
        combos = [(good[0], bad[0])] if pairing == "best_vs_worst" else [(g, b) for g in good for b in bad]
        for g, b in combos:
            extra = {"chosen_score": verdicts[g][1], "rejected_score": verdicts[b][1],
                     "margin": verdicts[g][1] - verdicts[b][1], "chosen_verdict": verdicts[g][2],
                     "rejected_verdict": verdicts[b][2]}
            if samples[g]["response"] == samples[b]["response"]:
                out.append(candidate(doc_id, judge, g, b, reason="identical_answers", **extra))
            else:
                out.append(candidate(doc_id, judge, g, b, **extra))
    return Judged(out)
