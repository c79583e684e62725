"""`llm_judge_v1`: a pairwise model judge, asked twice per pair with the answers in both orders.

A verdict counts only when it survives the swap (A in the first order and B in the second, or the reverse);
a verdict that flips is a tie and makes no pair (`position_flip`), and two ties make none either (`tie`).
Both raw verdicts are kept on every row (`verdict_ab`, `verdict_ba`). The judge reports how often verdicts
flipped and how often the longer answer won a decisive verdict, the two biases measured on public judgments
(about 13% flips and 68% longer-answer wins for GPT-4); the `judge_bias` asset check fails above the spec's
limits. Requests are greedy (temperature 0) and cached like every other call.
"""

from __future__ import annotations

import hashlib
from itertools import combinations

import regex
from pydantic import BaseModel, ConfigDict

from platform_assets.processors.classifiers.prompts import ChatRequest
from platform_assets.processors.synthetics.pairing import Judged, candidate, groups
from platform_assets.processors.synthetics.registry import REGISTRY, Step

SYSTEM = ("You are an impartial judge. Compare two answers to the same request for correctness and "
          "helpfulness; ignore their length and their order. Reply with exactly one word: A, B or tie.")
USER = "[Request]\n{prompt}\n\n[Answer A]\n{a}\n\n[Answer B]\n{b}\n\nWhich answer is better? A, B or tie?"
_VERDICT = regex.compile(r"^\W*(A|B|tie)\b", regex.I)


class JudgeParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str = SYSTEM
    user: str = USER
    max_tokens: int = 8


def parse_verdict(text: str | None) -> str | None:
    m = _VERDICT.match(text or "")
    return None if m is None else ("tie" if m.group(1).lower() == "tie" else m.group(1).upper())


@REGISTRY.register("llm_judge_v1")
class LlmJudge(Step):
    """Every pair of a prompt's answers, judged in both orders; pairs by consistent wins."""

    kind = "judge"
    needs_client = True
    Params = JudgeParams

    @property
    def template_hash(self) -> str:
        p = self.params
        return hashlib.sha256(repr((p.system, p.user, p.max_tokens)).encode()).hexdigest()[:16]

    def _request(self, prompt: str, a: str, b: str) -> ChatRequest:
        user = self.params.user.replace("{prompt}", prompt).replace("{a}", a).replace("{b}", b)
        text_hash = hashlib.sha256("\x1f".join((prompt, a, b)).encode()).hexdigest()
        messages = [{"role": "system", "content": self.params.system}, {"role": "user", "content": user}]
        return ChatRequest(self.template_hash, text_hash, messages, self.params.max_tokens)

    def judge(self, samples: list[dict], pairing: str) -> Judged:
        jobs = []  # (group, i, j): answers i and j of one prompt, asked as (i, j) then (j, i)
        for group in groups(samples):
            live = [i for i in group if samples[i]["response"] and not samples[i]["error"]]
            jobs += [(tuple(group), i, j) for i, j in combinations(live, 2)]
        requests = []
        for _, i, j in jobs:
            prompt, a, b = samples[i]["prompt"], samples[i]["response"], samples[j]["response"]
            requests += [self._request(prompt, a, b), self._request(prompt, b, a)]
        results = self.client.complete(requests) if requests else []
        stats = {"judge/judged": 0, "judge/flips": 0, "judge/decisive": 0, "judge/longer_wins": 0}
        by_group: dict[tuple, list[dict]] = {}
        for k, (group, i, j) in enumerate(jobs):
            ab, ba = results[2 * k], results[2 * k + 1]
            by_group.setdefault(group, []).append(self._verdict(samples, i, j, ab, ba, stats))
        out = []
        for group in groups(samples):
            out += self._pairs(samples, group, by_group.get(tuple(group), []), pairing)
        return Judged(out, stats)

    def _verdict(self, samples, i, j, ab, ba, stats) -> dict:
        v_ab, v_ba = parse_verdict(ab.content), parse_verdict(ba.content)
        row = {"i": i, "j": j, "verdict_ab": v_ab or (ab.error or "unparseable"),
               "verdict_ba": v_ba or (ba.error or "unparseable"), "winner": None, "reason": None}
        if v_ab is None or v_ba is None:
            row["reason"] = "judge_request_error" if (ab.error or ba.error) else "judge_unparseable"
            return row
        stats["judge/judged"] += 1
        first = {"A": i, "B": j}.get(v_ab)
        second = {"A": j, "B": i}.get(v_ba)
        if first is not None and first == second:
            row["winner"] = first
            stats["judge/decisive"] += 1
            loser = j if first == i else i
            if len(samples[first]["response"]) > len(samples[loser]["response"]):
                stats["judge/longer_wins"] += 1
        elif v_ab == v_ba == "tie":
            row["reason"] = "tie"
        else:
            row["reason"] = "position_flip"
            stats["judge/flips"] += 1
        return row

    def _pairs(self, samples, group, verdicts, pairing) -> list[dict]:
        doc_id = samples[group[0]]["doc_id"]
        errors = [samples[i]["error"] for i in group if samples[i]["error"]]
        if not verdicts:
            reason = "generation_failed" if errors else "fewer_than_two_answers"
            return [candidate(doc_id, self.name, reason=reason, detail="; ".join(errors) or None)]
        decisive = [v for v in verdicts if v["winner"] is not None]
        wins = {i: sum(v["winner"] == i for v in decisive) for i in group}
        if pairing == "best_vs_worst" and decisive:
            best = max(decisive, key=lambda v: (wins[v["winner"]] - wins[_loser(v)], -v["i"], -v["j"]))
            decisive = [best]
        out = [self._row(doc_id, samples, v, wins) for v in decisive]
        if not out:
            out = [candidate(doc_id, self.name, reason=v["reason"], verdict_ab=v["verdict_ab"],
                             verdict_ba=v["verdict_ba"], detail=f"answers {samples[v['i']]['sample_index']} "
                             f"and {samples[v['j']]['sample_index']}") for v in verdicts[:1]]
        return out

    def _row(self, doc_id: str, samples, v: dict, wins: dict) -> dict:
        winner, loser = v["winner"], _loser(v)
        extra = {"verdict_ab": v["verdict_ab"], "verdict_ba": v["verdict_ba"],
                 "judge_model": self.client.model,
                 "chosen_verdict": f"won in both orders ({wins[winner]} wins)",
                 "rejected_verdict": f"lost in both orders ({wins[loser]} wins)"}
        if samples[winner]["response"] == samples[loser]["response"]:
            return candidate(doc_id, self.name, winner, loser, reason="identical_answers", **extra)
        return candidate(doc_id, self.name, winner, loser, **extra)


def _loser(v: dict) -> int:
    return v["j"] if v["winner"] == v["i"] else v["i"]
