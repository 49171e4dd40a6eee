"""What curation reports: the counts of every stage, and how many rows each split kept."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StageCount(BaseModel):
    """Rows into and out of one stage; `removed` by reason adds up to in - out."""

    model_config = ConfigDict(populate_by_name=True)

    rows_in: int = Field(alias="in")
    rows_out: int = Field(alias="out")
    removed: dict[str, int] = Field(default_factory=dict)


class NearDuplicateCheck(BaseModel):
    """How the near-duplicate search went: LSH shape, pairs proposed, left after the sketch
    check, and confirmed by the real similarity."""

    bands: int
    rows: int
    candidate_pairs: int
    sketch_pairs: int
    verified_pairs: int


class CurationResult(BaseModel):
    """Per table (`trajectories`, `blueprints`): stage -> counts in stage order, split -> rows kept."""

    trajectories: dict[str, StageCount]
    blueprints: dict[str, StageCount]
    kept: dict[str, dict[str, int]]  # table -> split -> rows
    near_duplicates: NearDuplicateCheck | None = None  # None when the check is off
    seconds: float = 0.0
    step_seconds: dict[str, float] = Field(default_factory=dict)  # where the time went: read, each stage, write

    def funnel(self) -> dict[str, Any]:
        """The `curation` section of stats.json's funnel (no timing: the funnel of a resumed
        run must equal the uninterrupted one's)."""
        out: dict[str, Any] = {
            name: {stage: c.model_dump(by_alias=True) for stage, c in stages.items()}
            for name, stages in (("trajectories", self.trajectories), ("blueprints", self.blueprints))
        }
        out["kept"] = self.kept
        if self.near_duplicates is not None:
            out["near_duplicates"] = self.near_duplicates.model_dump()
        return out
