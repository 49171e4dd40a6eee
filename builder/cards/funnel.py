"""The funnel of stats.json as the rows of a card's table: how many went into every stage and out.

Both cards show it (the model card when it is given the run). Sections a run does not have
(phase 2 in a phase-1 run, curation before it existed) are left out, not shown as zeros.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class FunnelRow(BaseModel):
    stage: str
    into: int | None  # None where the stage has no input count (sampling, the published rows)
    out: int
    note: str = ""


def _counts(d: dict[str, int], labels: dict[str, str]) -> str:
    """"5 format, 12 execution" for the non-zero counts, in the order of `labels`."""
    return ", ".join(f"{d[k]} {label}" for k, label in labels.items() if d.get(k))


class CurationRow(BaseModel):
    """One curation stage of one table: rows in, rows out, and why the others went."""

    table: str
    stage: str
    into: int
    out: int
    removed: str = ""


CURATION_STAGES = {
    "candidates": "passed verification", "validated": "validated",
    "exact_duplicates": "exact duplicates", "near_duplicates": "near duplicates",
    "filters": "filters (turns, tool errors, length)", "balance": "per-domain balance",
}


def curation_rows(stats: dict[str, Any]) -> list[CurationRow]:
    """The `curation` section of the funnel as table rows, or [] for a run without one."""
    cur = stats["funnel"].get("curation") or {}
    return [
        CurationRow(
            table=table, stage=CURATION_STAGES.get(stage, stage), into=c["in"], out=c["out"],
            removed=", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(c.get("removed", {}).items())),
        )
        for table in ("trajectories", "blueprints")
        for stage, c in (cur.get(table) or {}).items()
    ]


def funnel_rows(stats: dict[str, Any], published: int | None = None) -> list[FunnelRow]:
    """The stages of stats.json in order; `published` adds the conversations actually published."""
    f = stats["funnel"]
    rounds = f["rounds"]
    rows = [FunnelRow(
        stage="Context sampling (no LLM)", into=None, out=f["contexts"],
        note="a user, the records around them, an API chain and a persona each"
        + (f"; {f['chains_with_failed_calls']} chains had a failing call" if f["chains_with_failed_calls"] else ""),
    )]
    for r in rounds:
        failed = _counts(r, {"no_blueprint": "no blueprint", "failed_format": "format",
                             "failed_execution": "execution", "failed_review": "review"})
        rows.append(FunnelRow(
            stage=f"Blueprint generation, round {r['round']}" + (" (with feedback)" if r["round"] else ""),
            into=r.get("candidates", 0), out=r.get("passed", 0),
            note=f"failed: {failed}" if failed else "",
        ))
    by_round = " / ".join(str(f["validated_by_round"].get(str(r["round"]), 0)) for r in rounds)
    rows.append(FunnelRow(
        stage="Validated blueprints", into=f["contexts"], out=f["blueprints_validated"],
        note=f"by round: {by_round}; {f['blueprints_rejected']} rejected after {len(rounds)} rounds",
    ))
    rec = f["recombination"]
    rows.append(FunnelRow(
        stage="Reverse task recombination", into=rec["merged"], out=rec["validated"],
        note=f"merged from {rec['families']} families of same-user blueprints, then validated again",
    ))
    conv = f.get("conversations")
    if conv:
        within = ", ".join(f"{v} within {k}" for k, v in conv["verified_within_attempts"].items())
        failed = ", ".join(f"{v} {k}" for k, v in sorted(conv["failed_attempts_by_stage"].items(), key=lambda kv: -kv[1]))
        rows.append(FunnelRow(
            stage="Conversation attempts", into=conv["attempts"], out=conv["passed_attempts"],
            note=f"failed checks: {failed} (an attempt that fails several checks counts once for each)" if failed else "",
        ))
        rows.append(FunnelRow(
            stage="Blueprints with a verified conversation", into=conv["blueprints"], out=conv["blueprints_verified"],
            note=f"verified {within} attempts",
        ))
        if published is not None:
            rows.append(FunnelRow(
                stage="Published conversations", into=conv["passed_attempts"], out=published,
                note="after curation (below)" if f.get("curation") else "every passed attempt",
            ))
    return rows
