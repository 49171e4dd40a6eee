"""The `curation:` section of the build config: which rows of a run make the published dataset.

The defaults only deduplicate. Filters, per-domain balancing and a test split are opt-in,
because each one throws away verified data, and that is the user's call:
- no filter by default: the interplay already bounds turns and tool errors while it runs;
- no balancing by default: a run has one domain unless the user merges runs;
- `test_share: 0.0` by default, so everything goes to `train`. That is what the reference
  dataset (Salesforce/APIGen-MT-5k) ships, and agents trained on this data are evaluated in an
  environment (tau-bench, BFCL), not on held-out conversations. Set e.g. `test_share: 0.05` for
  a held-out split: whole families go to one side, so no task leaks into `test` through a
  recombined task (or its parents) left in `train`.

Curation settings are not part of the run's identity (`BuildConfig.fingerprint`): they change
which generated rows are published, not the rows, so a finished run can be re-curated by
building it again with another `curation:` section.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CurationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dedup_instructions: bool = Field(
        default=True, description="drop a task whose normalised instruction repeats an earlier task's")
    dedup_actions: bool = Field(
        default=True, description="drop a task whose gold action sequence repeats an earlier task's for the same user")
    dedup_conversations: bool = Field(
        default=True, description="drop a conversation whose messages repeat an earlier conversation's")
    near_dup_threshold: float | None = Field(
        default=0.8, gt=0.0, le=1.0,
        description="word n-gram Jaccard similarity at or above which the later of two instructions is dropped; null: off")
    near_dup_ngram: int = Field(default=3, ge=1, le=10, description="words per n-gram of the near-duplicate check")
    min_user_turns: int | None = Field(default=None, ge=0, description="drop conversations with fewer user turns")
    max_user_turns: int | None = Field(default=None, ge=0, description="drop conversations with more user turns")
    max_tool_errors: int | None = Field(default=None, ge=0, description="drop conversations with more failed tool calls")
    max_chars: int | None = Field(
        default=None, ge=1, description="drop conversations whose stored messages JSON is longer (characters)")
    domain_cap: int | Literal["smallest"] | None = Field(
        default=None, description="at most N conversations per domain, or 'smallest': every domain cut to the smallest one")
    test_share: float = Field(default=0.0, ge=0.0, lt=1.0, description="share of task families in the test split")
    memory_limit: str = Field(
        default="1GB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="DuckDB's memory limit; beyond it, work spills to DIR/.state/curation.work/")

    @model_validator(mode="after")
    def _turn_range(self) -> "CurationConfig":
        if self.min_user_turns is not None and self.max_user_turns is not None and self.min_user_turns > self.max_user_turns:
            raise ValueError(f"min_user_turns ({self.min_user_turns}) is above max_user_turns ({self.max_user_turns})")
        if isinstance(self.domain_cap, int) and self.domain_cap < 1:
            raise ValueError(f"domain_cap must be at least 1 (or 'smallest', or null for no cap), not {self.domain_cap}")
        return self
