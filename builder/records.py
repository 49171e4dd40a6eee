"""The records that flow through the pipeline, one `TaskRecord` per task.

Data flows one way: context -> blueprint rounds (generation, checks, reviews) -> conversation
attempts (interplay, verification). Every stage appends to the task's record rather than
replacing it, so every row keeps its whole history and its fate: kept, or rejected with the
stage and reason. Rows cross distilabel process boundaries as the JSON of this model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, field_validator, model_validator

from builder.llm.types import Message
from domains.framework.sampling import PlannedCall
from builder.redact import redact_text

# failure messages and review feedback quote URLs (a failed call's endpoint, its error) and reach
# the published data: credentials in them are hidden as they are recorded
RedactedText = Annotated[str, AfterValidator(redact_text)]

class Reason(BaseModel):
    """Why something failed: the stage, a machine-readable code, a message, where."""

    stage: str
    code: str
    message: RedactedText
    action_index: int | None = None


class Action(BaseModel):
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class Blueprint(BaseModel):
    """A task with its ground truth, as the generator writes it."""

    instruction: str
    actions: list[Action]
    outputs: list[str] = Field(default_factory=list)

    @field_validator("outputs", mode="before")
    @classmethod
    def _numbers_are_text(cls, value: Any) -> Any:
        return numbers_as_text(value)


def numbers_as_text(value: Any) -> Any:
    """Outputs as a model wrote them: one that writes an amount as a JSON number (`85.4`) means the
    text the agent says; anything else that is not a string (an object, a list, a bool) stays an error."""
    if isinstance(value, list):
        return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
    return value


class Review(BaseModel):
    reviewer: str
    passed: bool
    scores: dict[str, bool] = Field(default_factory=dict)
    feedback: RedactedText = ""


class RoundRecord(BaseModel):
    """One generation round of a task: the candidate and what every stage said about it."""

    round: int
    raw: str | None = None
    blueprint: Blueprint | None = None
    reasons: list[Reason] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    stage_reached: str = "generation"  # the last stage that ran on this candidate
    passed: bool = False
    gold_fingerprint: str | None = None
    observations: list[str] = Field(default_factory=list)  # what the gold actions returned
    state_diff: list[str] = Field(default_factory=list)  # records the gold actions change


class Context(BaseModel):
    """What the generator is given: a user, their records, a tool chain, a persona, examples."""

    user_id: str
    records: dict[str, Any]
    chain: list[PlannedCall]
    scenarios: list[str]
    persona: str
    examples: list[Blueprint] = Field(default_factory=list)


Culprit = Literal["user", "agent", "both", "unclear"]
UserMistakeKind = Literal["early_stop", "drift", "no_request", "other"]
_MISTAKE_KINDS = get_args(UserMistakeKind)


class UserMistake(BaseModel):
    """One thing the simulated user did wrong: `early_stop` (ended before its task was done),
    `drift` (asked for or stated what its instruction does not say), `no_request` (never said
    what it wanted), `other`."""

    kind: UserMistakeKind
    reason: str = Field(min_length=1)


class Blame(BaseModel):
    """The judge's answer to "who made this conversation fail, and why", so that user-simulator
    mistakes are not counted against the agent. The user's mistakes become reasons of stage
    `user` (code `user_<kind>`) when the culprit is the user or both."""

    culprit: Culprit
    reason: str = Field(min_length=1)
    user_mistakes: list[UserMistake] = Field(default_factory=list)
    source: Literal["judge", "signals"] = "judge"  # `signals`: the judge gave no usable answer

    @model_validator(mode="before")
    @classmethod
    def _lenient(cls, data: Any) -> Any:
        """A small model's near misses: "User" for "user", a mistake given as its bare kind
        (its reason is then the verdict's), a kind outside the list (`other`)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("culprit"), str):
            data["culprit"] = data["culprit"].strip().lower()
        mistakes = data.get("user_mistakes")
        if isinstance(mistakes, (str, dict)):
            mistakes = [mistakes]
        if isinstance(mistakes, list):
            fixed = []
            for m in mistakes:
                if isinstance(m, str):
                    m = {"kind": m, "reason": data.get("reason")}
                if isinstance(m, dict) and isinstance(m.get("kind"), str):
                    kind = m["kind"].strip().lower().replace(" ", "_").removeprefix("user_")
                    m = {**m, "kind": kind if kind in _MISTAKE_KINDS else "other"}
                fixed.append(m)
            data["user_mistakes"] = fixed
        return data


class Attempt(BaseModel):
    """One simulated conversation for a validated blueprint, and its verdict."""

    attempt: int
    messages: list[Message] = Field(default_factory=list)
    end_reason: str = ""  # stop | transfer | max_turns | max_errors | llm_failure
    passed: bool = False
    reasons: list[Reason] = Field(default_factory=list)
    final_fingerprint: str | None = None
    state_diff: list[str] = Field(default_factory=list)
    tool_calls: int = 0
    tool_errors: int = 0
    user_turns: int = 0
    human_candidates: int = 0  # extra user replies sampled for stabilisation
    resampled: int = 0  # empty or echoed replies drawn again with a new seed
    blame: Blame | None = None  # who caused the failure (failed attempts whose task was not done)
    usage: dict[str, dict[str, int]] = Field(default_factory=dict)  # role -> UsageCounts as dict
    seconds: float = 0.0


class TaskRecord(BaseModel):
    task_id: str
    domain: str
    seed: int
    kind: Literal["base", "recombined"] = "base"
    family: str | None = None  # tasks of one family share a user and may be recombined
    parents: list[str] = Field(default_factory=list)
    parent_blueprints: list[Blueprint] = Field(default_factory=list)  # recombined tasks only
    context: Context
    rounds: list[RoundRecord] = Field(default_factory=list)
    status: Literal["pending", "validated", "rejected"] = "pending"
    attempts: list[Attempt] = Field(default_factory=list)
    # role -> {prompt_tokens, completion_tokens, calls, retries, recovered, failures}, all stages
    usage: dict[str, dict[str, int]] = Field(default_factory=dict)
    # the same for phase 1, per stage (stage key -> role -> counts); an attempt's usage is its own
    stage_usage: dict[str, dict[str, dict[str, int]]] = Field(default_factory=dict)
    errors: list[Reason] = Field(default_factory=list)  # stages that crashed on this task

    @property
    def blueprint(self) -> Blueprint | None:
        """The validated blueprint, if any."""
        if self.status != "validated":
            return None
        return next((r.blueprint for r in reversed(self.rounds) if r.passed), None)

    @property
    def gold_fingerprint(self) -> str | None:
        return next((r.gold_fingerprint for r in reversed(self.rounds) if r.passed), None)

    @property
    def succeeded(self) -> bool:
        return any(a.passed for a in self.attempts)

    def add_usage(self, usage: dict[str, dict[str, int]]) -> None:
        add_usage(self.usage, usage)


def add_usage(into: dict[str, dict[str, int]], usage: dict[str, dict[str, int]]) -> None:
    """Add per-role usage counts (as the LLM ledger reports them) into `into`."""
    for role, counts in usage.items():
        mine = into.setdefault(role, {})
        for key, value in counts.items():
            mine[key] = mine.get(key, 0) + value
