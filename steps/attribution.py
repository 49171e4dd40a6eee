"""Who made a failed conversation fail: the simulated user, the agent, both, or unclear.

A conversation that did not do its task says nothing yet about the agent: the simulated user may
have ended it early, asked for something its instruction does not hold, or never said what it
wanted. Such failures must not count against the agent, and they measure the user simulator.
The question goes to the judge role, which reads the instruction, what the task expected, the
conversation with every tool call and its result, how it ended and which checks failed, and
answers with a typed `Blame`; the user's mistakes become reasons of stage `user`.

Three structural signals, which hold whatever model wrote the text, are computed here and given
to the judge as facts; they are also the answer when the judge gives none (no judge role, a reply
that is no verdict even after repair, a failed call):
- **stopped early**: the user sent the stop marker before every gold write was made, while no
  tool refused and the agent made no write the task does not hold;
- **unknown values**: values (identifiers, amounts, e-mail addresses) the user stated that are
  neither in its instruction nor said by the agent before;
- **no request**: no user message says anything of its instruction (each is empty, repeats the
  agent, or holds no word or value of the instruction the agent had not said first). This one is
  conclusive: such a user is blamed whatever the judge says.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from builder.conversation_protocol import strip_markers
from builder.llm.errors import JSONOutputError, LLMCallFailed
from builder.llm.json_output import achat_json
from builder.llm.types import Message
from builder.prompts.attribution import Turn, attribution_messages
from builder.records import Blame, Blueprint, Reason, UserMistake
from builder.textmatch import mentions
from domains.framework.policy import Event
from steps.verification import Verdict, verify

if TYPE_CHECKING:
    from builder.llm.base import ChatLLM
    from domains.framework.domain import Domain
    from domains.framework.environment import Environment

log = logging.getLogger("builder.steps.attribution")

__all__ = ["Signals", "structural_signals", "judge_turns", "blame_from_signals", "blame_reasons", "attribute",
           "needs_attribution", "judged_verdict"]

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# identifiers, amounts and e-mail addresses: a token with a digit, or with an @
_VALUE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[#$]?[A-Za-z_-]*\d[\w.,/-]*")
#: Words that say nothing of a task: greetings, courtesy, the pronouns and verbs of any request.
_FILLER = frozenset("""
a an the and or but so if of to in on at by for from with about as into than then there here this that
these those it its is are was were be been being am do does did done have has had having will would shall
should can could may might must i me my mine we us our you your yours he she they them their what which who
whom whose when where why how all any some no not yes yeah ok okay please thanks thank hi hello hey good
morning afternoon evening day today help assist like want wanted need needs get got let just also too very
much many more most well sure great fine nice welcome anything else something everything nothing there one
""".split())
_MIN_VALUE_LEN = 3


@dataclass
class Signals:
    """What the program can tell about the user's part from the structure of the conversation."""

    stopped_early: bool = False
    unknown_values: list[str] = field(default_factory=list)
    no_request: bool = False

    def sentences(self) -> list[str]:
        out = []
        if self.stopped_early:
            out.append("The customer ended the conversation before every expected write was made, while no tool "
                       "refused and the agent made no write the task does not hold.")
        if self.unknown_values:
            out.append("The customer stated values that are neither in its instruction nor said by the agent "
                       f"before: {', '.join(self.unknown_values)}.")
        if self.no_request:
            out.append("No message of the customer says anything of its instruction (each is empty, repeats the "
                       "agent, or holds no word or value of the instruction the agent had not said first).")
        return out or ["Nothing in the structure of the conversation points at the customer."]


def needs_attribution(reasons: Sequence[Reason]) -> bool:
    """Attribution is asked when the task was not done (the state or an output is wrong); a broken
    rule alone is the agent's, and an LLM failure nobody's."""
    return any(r.stage in ("state", "outputs") for r in reasons)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(strip_markers(text).lower()) if len(w) >= 3 and w not in _FILLER}


def _values(text: str) -> list[str]:
    found = []
    for m in _VALUE.finditer(strip_markers(text)):
        value = m.group(0).rstrip(".,;:!?")
        if len(value) >= _MIN_VALUE_LEN and value not in found:
            found.append(value)
    return found


def _said_by_user(messages: Sequence[Message]) -> list[tuple[str, str]]:
    """(user text, what the agent had said before it) for every user message."""
    out, agent_so_far = [], ""
    for m in messages:
        if m.role == "assistant" and m.content:
            agent_so_far += "\n" + m.content
        elif m.role == "user":
            out.append((m.content or "", agent_so_far))
    return out


def _states_something(text: str, instruction: str, agent_before: str) -> bool:
    """Whether a user message holds a word or value of the instruction the agent had not said."""
    own = _words(text) & (_words(instruction) - _words(agent_before))
    return bool(own) or any(mentions(instruction, v) and not mentions(agent_before, v) for v in _values(text))


def structural_signals(domain: "Domain", blueprint: Blueprint, messages: Sequence[Message],
                       events: Sequence[Event], end_reason: str) -> Signals:
    said = _said_by_user(messages)
    instruction = blueprint.instruction
    unknown: list[str] = []
    for text, agent_before in said:
        unknown += [v for v in _values(text) if not mentions(instruction, v) and not mentions(agent_before, v)
                    and v not in unknown]
    no_request = not any(_states_something(text, instruction, before) for text, before in said)

    writes = {n for n, spec in domain.tools.items() if spec.kind == "write"}
    observations = [e.observation for e in events if e.kind == "tool" and e.observation is not None]
    gold_writes = Counter(a.name for a in blueprint.actions if a.name in writes)
    made = Counter(o.name for o in observations if o.ok and o.name in writes)
    stopped_early = (
        end_reason == "stop"
        and any(made[name] < n for name, n in gold_writes.items())
        and all(o.ok for o in observations)
        and all(name in gold_writes for name in made)
    )
    return Signals(stopped_early=stopped_early, unknown_values=unknown, no_request=no_request)


def judge_turns(messages: Sequence[Message], events: Sequence[Event]) -> list[Turn]:
    """The conversation as the judge reads it; tool calls carry their replayed result."""
    turns = []
    for e in events:
        if e.kind == "user":
            turns.append(Turn(speaker="customer", text=e.text or ""))
        elif e.kind == "agent":
            turns.append(Turn(speaker="agent", text=e.text or ""))
        elif e.observation is not None:
            o = e.observation
            turns.append(Turn(speaker="tool", text=o.content, name=o.name, arguments=o.arguments, ok=o.ok))
    return turns


_SIGNAL_MISTAKES = {
    "no_request": "the customer never said what it wanted",
    "early_stop": "the customer ended the conversation before its task was done, with nothing refused",
    "drift": "the customer stated values its instruction does not hold",
}


def blame_from_signals(signals: Signals, why: str) -> Blame:
    """The verdict the structural signals alone support (`why`: why no judge answered)."""
    kinds = [k for k, on in (("no_request", signals.no_request), ("early_stop", signals.stopped_early),
                             ("drift", bool(signals.unknown_values))) if on]
    if not kinds:
        return Blame(culprit="unclear", reason=f"{why}; no structural signal points at the customer", source="signals")
    mistakes = [UserMistake(kind=k, reason=_SIGNAL_MISTAKES[k] + (
        f" ({', '.join(signals.unknown_values)})" if k == "drift" else "")) for k in kinds]
    return Blame(culprit="user", reason=f"{why}; " + "; ".join(m.reason for m in mistakes),
                 user_mistakes=mistakes, source="signals")


def _with_conclusive_signals(blame: Blame, signals: Signals) -> Blame:
    if not signals.no_request or any(m.kind == "no_request" for m in blame.user_mistakes):
        return blame
    mistake = UserMistake(kind="no_request", reason=_SIGNAL_MISTAKES["no_request"])
    culprit = "both" if blame.culprit in ("agent", "both") else "user"
    return blame.model_copy(update={"culprit": culprit, "user_mistakes": [*blame.user_mistakes, mistake]})


def blame_reasons(blame: Blame) -> list[Reason]:
    """The user's mistakes as reasons of stage `user`, when the user is (also) to blame."""
    if blame.culprit not in ("user", "both"):
        return []
    mistakes = blame.user_mistakes or [UserMistake(kind="other", reason=blame.reason)]
    return [Reason(stage="user", code=f"user_{m.kind}", message=m.reason) for m in mistakes]


async def attribute(domain: "Domain", blueprint: Blueprint, messages: Sequence[Message], events: Sequence[Event],
                    end_reason: str, failures: Sequence[Reason], judge_llm: "ChatLLM | None", *, row_id: str,
                    seed: int) -> Blame:
    """Ask the judge who made this conversation fail; the structural signals when it cannot say."""
    signals = structural_signals(domain, blueprint, messages, events, end_reason)
    if judge_llm is None:
        return blame_from_signals(signals, "no judge was asked")
    tools = {name: {"kind": spec.kind, "parameters": spec.parameters_schema} for name, spec in domain.tools.items()}
    prompt = attribution_messages(blueprint.instruction, blueprint.actions, blueprint.outputs, tools,
                                  judge_turns(messages, events), end_reason, failures, signals.sentences())
    try:
        blame = await achat_json(judge_llm, prompt, Blame, row_id=row_id, seed=seed)
    except (JSONOutputError, LLMCallFailed) as exc:
        log.warning("row %s: the judge gave no verdict (%s); attributing from the structural signals", row_id, exc)
        return blame_from_signals(signals, f"the judge gave no verdict ({exc})")
    return _with_conclusive_signals(blame.model_copy(update={"source": "judge"}), signals)


async def judged_verdict(domain: "Domain", blueprint: Blueprint, gold_fingerprint: str | None,
                         messages: Sequence[Message], end_reason: str, judge_llm: "ChatLLM | None", *,
                         env: "Environment | None" = None, failure: str | None = None, row_id: str = "",
                         seed: int = 0) -> tuple[Verdict, Blame | None]:
    """`verify`, then, for a conversation that did not do its task, the judge's blame, whose user
    mistakes join the verdict's reasons."""
    verdict = verify(domain, blueprint, gold_fingerprint, messages, end_reason, env=env, failure=failure)
    if not needs_attribution(verdict.reasons):
        return verdict, None
    blame = await attribute(domain, blueprint, messages, verdict.events, end_reason, verdict.reasons, judge_llm,
                            row_id=row_id, seed=seed)
    verdict.reasons += blame_reasons(blame)
    return verdict, blame
