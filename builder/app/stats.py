"""The funnel: how many tasks went into and out of every stage, and why the others did not.

Computed from the task records alone, so the same numbers come out of a resumed run as out of
an uninterrupted one. Every task has a fate: validated or rejected with a stage and a reason,
and every attempt is passed or failed with reasons. Curation's counts (`funnel.curation`,
stage by stage, per table) come from `builder.curation` and are as deterministic; with them,
`kept_rows` is the number of conversations published (all splits).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from builder.config import BuildConfig
from builder.curation.result import CurationResult
from builder.records import RoundRecord, TaskRecord, add_usage
from builder.app.llm_stats import LostRows, llm_section


def _round_outcome(rnd: RoundRecord) -> list[str]:
    """The funnel counters one candidate adds to its round."""
    out = ["candidates"]
    stages = {x.stage for x in rnd.reasons}
    if rnd.blueprint is None:
        out.append("no_blueprint")
    elif "format" in stages:
        out.append("failed_format")
    elif "execution" in stages:
        out.append("failed_execution")
    elif "review" in stages:
        out.append("failed_review")
    if rnd.passed:
        out.append("passed")
    return out


def compute_stats(
    config: BuildConfig, records: Iterable[TaskRecord], seconds: float | None = None,
    curation: CurationResult | None = None,
) -> dict[str, Any]:
    """The funnel of a run, in one pass over its records (streamed: never all held at once)."""
    rounds = config.blueprints.feedback_rounds
    n = Counter()
    round_funnels = [Counter() for _ in range(rounds + 1)]
    reasons, validated_round, within = Counter(), Counter(), Counter()
    failed_by_stage, failure_reasons, end_reasons, culprits = Counter(), Counter(), Counter(), Counter()
    families: set[str] = set()
    usage: dict[str, dict[str, int]] = {}
    by_stage: dict[str, dict[str, dict[str, int]]] = {}
    lost = LostRows(config.phase)
    for rec in records:
        lost.add(rec)
        n["internal_errors"] += len(rec.errors)
        add_usage(usage, rec.usage)  # a record's usage already includes its attempts' (Attempt.usage is a breakdown)
        for stage, roles in rec.stage_usage.items():
            add_usage(by_stage.setdefault(stage, {}), roles)
        for a in rec.attempts:
            add_usage(by_stage.setdefault(f"interplay.a{a.attempt}", {}), a.usage)
        reasons.update(f"{x.stage}/{x.code}" for rnd in rec.rounds for x in rnd.reasons)
        validated = rec.status == "validated"
        if rec.kind == "recombined":
            n["merged"] += 1
            n["merged_validated"] += validated
        elif rec.kind == "base":
            n["contexts"] += 1
            n["chains_with_failed_calls"] += any(not c.ok for c in rec.context.chain)
            for rnd in rec.rounds:
                if rnd.round <= rounds:
                    round_funnels[rnd.round].update(_round_outcome(rnd))
            if validated:
                n["base_validated"] += 1
                validated_round[next(rnd.round for rnd in rec.rounds if rnd.passed)] += 1
            n["base_rejected"] += rec.status == "rejected"
            if rec.family:
                families.add(rec.family)
        if not validated:
            continue
        n["validated"] += 1
        n["succeeded"] += rec.succeeded
        first = next((a.attempt for a in rec.attempts if a.passed), None)
        if first is not None:
            within.update(range(first, config.interplay.attempts + 1))
        for a in rec.attempts:
            n["attempts"] += 1
            n["passed_attempts"] += a.passed
            if not a.passed:
                failed_by_stage.update(dict.fromkeys(y.stage for y in a.reasons).keys())
            failure_reasons.update(f"{x.stage}/{x.code}" for x in a.reasons)
            end_reasons[a.end_reason] += 1
            n["resampled"] += a.resampled
            if a.blame is not None:
                culprits[a.blame.culprit] += 1
    base = n["contexts"]
    funnel: dict[str, Any] = {
        "contexts": base,
        "chains_with_failed_calls": n["chains_with_failed_calls"],
        "rounds": [{"round": r, **dict(round_funnels[r])} for r in range(rounds + 1)],
        "blueprints_validated": n["base_validated"],
        "validated_by_round": {str(k): v for k, v in sorted(validated_round.items())},
        "blueprints_rejected": n["base_rejected"],
        "recombination": {
            "families": len(families),
            "merged": n["merged"],
            "validated": n["merged_validated"],
        },
        "phase1_acceptance": round(n["base_validated"] / base, 4) if base else 0.0,
        "phase1_first_round_acceptance": round(validated_round.get(0, 0) / base, 4) if base else 0.0,
    }
    if config.phase >= 2:
        funnel["conversations"] = {
            "blueprints": n["validated"],
            "attempts": n["attempts"],
            "passed_attempts": n["passed_attempts"],
            "blueprints_verified": n["succeeded"],
            "verified_within_attempts": {str(k): within[k] for k in range(1, config.interplay.attempts + 1)},
            "failed_attempts_by_stage": dict(failed_by_stage),
            "failure_reasons": dict(failure_reasons),
            "end_reasons": dict(end_reasons),
            "culprits": dict(culprits),
            "resampled_replies": n["resampled"],
            "phase2_success": round(n["succeeded"] / n["validated"], 4) if n["validated"] else 0.0,
        }
    if curation is not None:
        funnel["curation"] = curation.funnel()
        kept = sum(curation.kept["trajectories"].values())
    else:
        kept = n["succeeded"] if config.phase >= 2 else n["validated"]
    total_tokens = sum(u.get("prompt_tokens", 0) + u.get("completion_tokens", 0) for u in usage.values())
    return {
        "domain": config.domain,
        "seed": config.seed,
        "tasks": config.tasks,
        "config_fingerprint": config.fingerprint(),
        "simulated": bool(config.simulated_roles()),
        "funnel": funnel,
        "rejection_reasons": dict(sorted(reasons.items())),
        "internal_errors": n["internal_errors"],
        "usage": usage,
        "usage_by_stage": {stage: dict(sorted(roles.items())) for stage, roles in sorted(by_stage.items())},
        "llm": llm_section(lost, usage),
        "tokens_total": total_tokens,
        "tokens_per_kept_row": round(total_tokens / kept, 1) if kept else None,
        "kept_rows": kept,
        "seconds": round(seconds, 2) if seconds is not None else None,
        **({"curation_seconds": curation.seconds} if curation is not None else {}),
    }
