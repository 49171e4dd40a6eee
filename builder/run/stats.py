"""The funnel: how many tasks went into and out of every stage, and why the others did not.

Computed from the task records alone, so the same numbers come out of a resumed run as out of
an uninterrupted one. Every task has a fate: validated or rejected with a stage and a reason,
and every attempt is passed or failed with reasons. Curation's counts (`funnel.curation`,
stage by stage, per table) come from `builder.curation` and are as deterministic; with them,
`kept_rows` is the number of conversations published (all splits).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from builder.config import BuildConfig
from builder.curation.result import CurationResult
from builder.records import TaskRecord, add_usage
from builder.run.llm_stats import llm_section


def _round_funnel(records: list[TaskRecord], r: int) -> dict[str, int]:
    out = Counter()
    for rec in records:
        for rnd in rec.rounds:
            if rnd.round != r:
                continue
            out["candidates"] += 1
            stages = {x.stage for x in rnd.reasons}
            if rnd.blueprint is None:
                out["no_blueprint"] += 1
            elif "format" in stages:
                out["failed_format"] += 1
            elif "execution" in stages:
                out["failed_execution"] += 1
            elif "review" in stages:
                out["failed_review"] += 1
            if rnd.passed:
                out["passed"] += 1
    return dict(out)


def compute_stats(
    config: BuildConfig, records: list[TaskRecord], seconds: float | None = None, curation: CurationResult | None = None
) -> dict[str, Any]:
    base = [r for r in records if r.kind == "base"]
    merged = [r for r in records if r.kind == "recombined"]
    validated = [r for r in records if r.status == "validated"]
    reasons = Counter(
        f"{x.stage}/{x.code}" for rec in records for rnd in rec.rounds for x in rnd.reasons
    )
    validated_round = Counter(
        next(rnd.round for rnd in rec.rounds if rnd.passed) for rec in base if rec.status == "validated"
    )
    funnel: dict[str, Any] = {
        "contexts": len(base),
        "chains_with_failed_calls": sum(1 for r in base if any(not c.ok for c in r.context.chain)),
        "rounds": [
            {"round": r, **_round_funnel(base, r)} for r in range(config.blueprints.feedback_rounds + 1)
        ],
        "blueprints_validated": len([r for r in base if r.status == "validated"]),
        "validated_by_round": {str(k): v for k, v in sorted(validated_round.items())},
        "blueprints_rejected": len([r for r in base if r.status == "rejected"]),
        "recombination": {
            "families": len({r.family for r in base if r.family}),
            "merged": len(merged),
            "validated": len([r for r in merged if r.status == "validated"]),
        },
        "phase1_acceptance": round(len([r for r in base if r.status == "validated"]) / len(base), 4) if base else 0.0,
        "phase1_first_round_acceptance": round(validated_round.get(0, 0) / len(base), 4) if base else 0.0,
    }
    attempts = [a for r in validated for a in r.attempts]
    if config.phase >= 2:
        within = Counter()
        for rec in validated:
            first = next((a.attempt for a in rec.attempts if a.passed), None)
            if first is not None:
                for k in range(first, config.interplay.attempts + 1):
                    within[k] += 1
        funnel["conversations"] = {
            "blueprints": len(validated),
            "attempts": len(attempts),
            "passed_attempts": sum(a.passed for a in attempts),
            "blueprints_verified": sum(1 for r in validated if r.succeeded),
            "verified_within_attempts": {str(k): within[k] for k in range(1, config.interplay.attempts + 1)},
            "failed_attempts_by_stage": dict(Counter(
                x.stage for a in attempts if not a.passed for x in {y.stage: y for y in a.reasons}.values()
            )),
            "failure_reasons": dict(Counter(f"{x.stage}/{x.code}" for a in attempts for x in a.reasons)),
            "end_reasons": dict(Counter(a.end_reason for a in attempts)),
            "phase2_success": round(sum(1 for r in validated if r.succeeded) / len(validated), 4) if validated else 0.0,
        }
    usage: dict[str, dict[str, int]] = {}
    for rec in records:  # a record's usage already includes its attempts' (Attempt.usage is a breakdown)
        add_usage(usage, rec.usage)
    by_stage: dict[str, dict[str, dict[str, int]]] = {}
    for rec in records:
        for stage, roles in rec.stage_usage.items():
            add_usage(by_stage.setdefault(stage, {}), roles)
        for a in rec.attempts:
            add_usage(by_stage.setdefault(f"interplay.a{a.attempt}", {}), a.usage)
    if curation is not None:
        funnel["curation"] = curation.funnel()
        kept = sum(curation.kept["trajectories"].values())
    else:
        kept = sum(1 for r in validated if r.succeeded) if config.phase >= 2 else len(validated)
    total_tokens = sum(u.get("prompt_tokens", 0) + u.get("completion_tokens", 0) for u in usage.values())
    return {
        "domain": config.domain,
        "seed": config.seed,
        "tasks": config.tasks,
        "config_fingerprint": config.fingerprint(),
        "simulated": any(cfg.kind == "simulator" for _, cfg in config.roles.named()),
        "funnel": funnel,
        "rejection_reasons": dict(sorted(reasons.items())),
        "internal_errors": sum(len(r.errors) for r in records),
        "usage": usage,
        "usage_by_stage": {stage: dict(sorted(roles.items())) for stage, roles in sorted(by_stage.items())},
        "llm": llm_section(records, usage, config.phase),
        "tokens_total": total_tokens,
        "tokens_per_kept_row": round(total_tokens / kept, 1) if kept else None,
        "kept_rows": kept,
        "seconds": round(seconds, 2) if seconds is not None else None,
        **({"curation_seconds": curation.seconds} if curation is not None else {}),
    }
