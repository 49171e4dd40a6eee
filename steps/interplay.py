"""Phase 2: simulated human-agent interplay, one conversation attempt per validated blueprint.

`run_conversation` plays one conversation: the human LLM (given the blueprint's instruction) speaks
first; the agent LLM (given only the policy and the tools) answers, and every tool call it makes
runs in a fresh environment of the domain, its result appended as a `tool` message. It ends when
the user sends `###STOP###` (end reason `stop`) or `###TRANSFER###` (`transfer`), at the turn
limit (`max_turns`), past the tool error limit (`max_errors`), or when an LLM call fails for good
(`llm_failure`: recorded, never raised). An endpoint that is down (`EndpointDown`) is not a call
failing: it propagates, and the attempt is not recorded (see `steps.base`).

Conventions (documented decisions):
- The stored messages are what the agent saw: its system prompt first
  (`builder.prompts.interplay.agent_system_prompt(policy)`: the dataset's `system` column), then
  the user's first message, and so on.
- The stop/transfer markers are kept in the stored user text (that is what was said, and
  verification reads them); exporters can strip them with `builder.conversation_protocol.strip_markers`.
- A turn is a user message or an agent message with text; `max_turns` bounds those. Tool-call
  steps of one agent turn are bounded separately (`MAX_AGENT_STEPS`), and count as `max_turns`.
- A tool call the agent emitted but that did not parse is stored as a call named after what
  could be read of it (else `invalid_tool_call`) with arguments `{"_unparsed": raw}`, answered by
  an error `tool` message telling the agent to resend it; it counts as a tool error.
- A reply that is empty or only repeats the other side's last message (a small model answering
  as the other role), or a user's opening message that only ends the conversation (a small model
  obeying its prompt's last rule first), is drawn again with a new seed, at most `MAX_RESAMPLES` times per reply
  (counted in `resampled`); the last draw is kept whatever it is. The other side of the user's
  first message is the opening cue.
- User stabilisation (`user_candidates` > 1 and a judge): each user turn samples N replies
  (seeds seed..seed+N-1), the judge scores them 0-10 for consistency with the instruction and
  the best is kept (ties: the earliest). Identical candidates skip the judge. A judge that
  fails or answers garbage falls back to the first candidate.

`Interplay(LLMStage)` runs attempt number `attempt` for each validated task that has fewer
attempts and no verified conversation yet (or always, with `keep_all_successes`), verifies it
(`steps.verification`) and appends an `Attempt` to the record.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from builder.config import InterplayConfig
from builder.conversation_protocol import MALFORMED_KEY, OPENING_CUE, has_stop, has_transfer, strip_markers
from builder.llm.errors import JSONOutputError, LLMCallFailed
from builder.llm.json_output import achat_json
from builder.llm.types import Message, ToolCall
from builder.prompts.interplay import agent_system_prompt, human_system_prompt, judge_messages, user_view
from builder.records import Attempt, Blueprint, TaskRecord, add_usage
from steps.attribution import judged_verdict
from steps.llm_stage import LLMStage, gather_all

if TYPE_CHECKING:
    from builder.llm.base import ChatLLM
    from domains.framework.domain import Domain
    from domains.framework.environment import Environment

log = logging.getLogger("builder.steps.interplay")

__all__ = ["Counters", "run_conversation", "run_attempt", "attempt_seed", "Interplay", "MAX_AGENT_STEPS",
           "MAX_RESAMPLES", "human_messages", "is_echo_or_empty"]

MAX_AGENT_STEPS = 12
MAX_RESAMPLES = 2
_ECHO_WORDS = 5
_NON_WORD = re.compile(r"[\W_]+")
_NAME_RE = re.compile(r'"name"\s*:\s*"([A-Za-z0-9_.-]+)"')


@dataclass
class Counters:
    tool_calls: int = 0
    tool_errors: int = 0
    malformed_calls: int = 0
    user_turns: int = 0
    agent_turns: int = 0
    human_candidates: int = 0  # extra user replies sampled for stabilisation
    resampled: int = 0  # empty or echoed replies drawn again
    failure: str | None = None  # the LLMCallFailed message, when the end reason is llm_failure

    @property
    def turns(self) -> int:
        return self.user_turns + self.agent_turns


class JudgeScores(BaseModel):
    scores: list[float]


def attempt_seed(seed: int, task_id: str, attempt: int) -> int:
    """A seed per (run seed, task, attempt), so attempts differ and re-runs repeat."""
    digest = hashlib.blake2b(f"{seed}\x00{task_id}\x00{attempt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2**31 - 1)


def _resample_seed(seed: int, side: str, draw: int) -> int:
    """A new seed for redrawing a reply: a model sampled with the same seed repeats itself."""
    digest = hashlib.blake2b(f"{seed}\x00{side}\x00{draw}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2**31 - 1)


def _words(text: str) -> str:
    return _NON_WORD.sub(" ", strip_markers(text).lower()).strip()


def is_echo_or_empty(reply: str | None, other: str | None, *, opening: bool = False) -> bool:
    """An empty reply, or one that only repeats the other side's last message or a stretch of it
    of at least `_ECHO_WORDS` words (a short "Yes." to a yes/no question is an answer). A bare stop
    or transfer marker is a reply, except as the user's opening message: nothing is done yet."""
    mine, theirs = _words(reply or ""), _words(other or "")
    if has_stop(reply) or has_transfer(reply):
        return opening and not mine
    if not mine or mine == theirs:
        return True
    return len(mine.split()) >= _ECHO_WORDS and f" {mine} " in f" {theirs} "


def _last_text(transcript: list[Message], role: str) -> str | None:
    return next((m.content for m in reversed(transcript) if m.role == role and m.content), None)


def human_messages(instruction: str, transcript: list[Message]) -> list[Message]:
    """The human's side: its prompt, the opening cue, then the dialogue with roles flipped (its own
    messages -> `assistant`, the agent's -> `user`); tool traffic is invisible to the user. The
    cue is a stage direction, not a line of the agent: the user writes the first message."""
    out = [Message(role="system", content=human_system_prompt(instruction)), Message(role="user", content=OPENING_CUE)]
    for m in transcript:  # the agent's system prompt is not the user's business
        if m.role == "user":
            role, text = "assistant", m.content or ""
        elif m.role == "assistant" and m.content:
            role, text = "user", m.content
        else:
            continue
        if out[-1].role == role:
            out[-1] = Message(role=role, content=f"{out[-1].content}\n\n{text}")
        else:
            out.append(Message(role=role, content=text))
    return out


def _turns_for_judge(transcript: list[Message]) -> list[tuple[str, str]]:
    return [("me" if m.role == "user" else "agent", m.content or "") for m in transcript
            if m.role == "user" or (m.role == "assistant" and m.content)]


async def _user_turn(instruction: str, transcript: list[Message], human_llm: "ChatLLM", judge_llm: "ChatLLM | None",
                     cfg: InterplayConfig, counters: Counters, *, row_id: str, seed: int) -> str:
    msgs = human_messages(instruction, transcript)
    n = cfg.user_candidates if judge_llm is not None and cfg.user_candidates > 1 else 1
    if n == 1:
        reply = await human_llm.achat(msgs, row_id=row_id, seed=seed)
        return reply.content or ""
    replies = await gather_all(*(human_llm.achat(msgs, row_id=row_id, seed=seed + k) for k in range(n)))
    texts = [r.content or "" for r in replies]
    counters.human_candidates += n - 1
    if len(set(texts)) == 1:
        return texts[0]
    try:
        judged = await achat_json(
            judge_llm, judge_messages(instruction, user_view(_turns_for_judge(transcript)), texts), JudgeScores,
            row_id=row_id, seed=seed,
        )
        scores = list(judged.scores)[:n] + [float("-inf")] * max(0, n - len(judged.scores))
    except (JSONOutputError, LLMCallFailed) as exc:
        log.warning("row %s: the judge failed (%s); keeping the first user candidate", row_id, exc)
        return texts[0]
    best = max(range(n), key=lambda k: (scores[k], -k))
    return texts[best]


async def run_conversation(
    domain: "Domain",
    blueprint: Blueprint,
    human_llm: "ChatLLM",
    agent_llm: "ChatLLM",
    judge_llm: "ChatLLM | None",
    cfg: InterplayConfig,
    *,
    row_id: str,
    seed: int,
) -> tuple[list[Message], "Environment", str, Counters]:
    """Play one conversation; returns (messages, environment, end reason, counters).

    Never raises for an LLM that fails (`llm_failure`) or a tool that refuses (an error
    observation the agent sees).
    """
    env = domain.new_environment()
    tools = domain.tool_schemas()
    transcript: list[Message] = [Message(role="system", content=agent_system_prompt(domain.policy.text))]
    counters = Counters()

    def end(reason: str) -> tuple[list[Message], "Environment", str, Counters]:
        return transcript, env, reason, counters

    try:
        while True:
            if counters.turns >= cfg.max_turns:
                return end("max_turns")
            text = await _user_turn(blueprint.instruction, transcript, human_llm, judge_llm, cfg, counters,
                                    row_id=row_id, seed=seed)
            agent_said = _last_text(transcript, "assistant") or OPENING_CUE
            for draw in range(1, MAX_RESAMPLES + 1):
                if not is_echo_or_empty(text, agent_said, opening=counters.user_turns == 0):
                    break
                counters.resampled += 1
                text = await _user_turn(blueprint.instruction, transcript, human_llm, judge_llm, cfg, counters,
                                        row_id=row_id, seed=_resample_seed(seed, "user", draw))
            transcript.append(Message(role="user", content=text))
            counters.user_turns += 1
            if has_stop(text):
                return end("stop")
            if has_transfer(text):
                return end("transfer")
            steps = 0
            while True:
                if counters.turns >= cfg.max_turns:
                    return end("max_turns")
                if steps >= MAX_AGENT_STEPS:
                    return end("max_turns")
                reply = await agent_llm.achat(transcript, tools, row_id=row_id, seed=seed)
                for draw in range(1, MAX_RESAMPLES + 1):
                    if reply.tool_calls or reply.parse_errors or not is_echo_or_empty(reply.content, text):
                        break
                    counters.resampled += 1
                    reply = await agent_llm.achat(transcript, tools, row_id=row_id,
                                                  seed=_resample_seed(seed, f"agent{len(transcript)}", draw))
                steps += 1
                if not reply.tool_calls and not reply.parse_errors:
                    transcript.append(Message(role="assistant", content=reply.content or ""))
                    counters.agent_turns += 1
                    break
                calls = list(reply.tool_calls)
                malformed: list[ToolCall] = []
                for k, err in enumerate(reply.parse_errors):
                    found = _NAME_RE.search(err.raw or "")
                    malformed.append(ToolCall(
                        id=f"malformed_{len(transcript)}_{k}", name=found.group(1) if found else "invalid_tool_call",
                        arguments={MALFORMED_KEY: err.raw},
                    ))
                transcript.append(Message(role="assistant", content=reply.content or None, tool_calls=calls + malformed))
                if reply.content:
                    counters.agent_turns += 1
                for call in calls:
                    obs = env.execute(call.name, call.arguments)
                    counters.tool_calls += 1
                    if not obs.ok:
                        counters.tool_errors += 1
                    transcript.append(Message(role="tool", tool_call_id=call.id, name=call.name, content=obs.content))
                for call, err in zip(malformed, reply.parse_errors):
                    counters.tool_calls += 1
                    counters.tool_errors += 1
                    counters.malformed_calls += 1
                    transcript.append(Message(
                        role="tool", tool_call_id=call.id, name=call.name,
                        content=f"Error: the tool call could not be parsed ({err.message}). "
                                "Send it again as valid JSON: {\"name\": ..., \"arguments\": {...}}.",
                    ))
                if counters.tool_errors > cfg.max_tool_errors:
                    return end("max_errors")
                await asyncio.sleep(0)  # let the other conversations of the batch run
    except LLMCallFailed as exc:
        counters.failure = str(exc)
        return end("llm_failure")


def _usage_of(llms: list["ChatLLM | None"], row_id: str) -> dict[str, dict[str, int]]:
    """Take this row's usage (role -> counts) from the ledgers of the LLMs that served it."""
    usage: dict[str, dict[str, int]] = {}
    seen: set[int] = set()
    for llm in llms:
        if llm is None or id(llm.ledger) in seen:
            continue
        seen.add(id(llm.ledger))
        add_usage(usage, llm.ledger.pop_row(row_id))
    return usage


async def run_attempt(domain: "Domain", record: TaskRecord, attempt: int, human_llm: "ChatLLM",
                      agent_llm: "ChatLLM", judge_llm: "ChatLLM | None", cfg: InterplayConfig) -> TaskRecord:
    """Play, verify and append attempt number `attempt` to the record (returned)."""
    blueprint = record.blueprint
    if blueprint is None:
        raise ValueError(f"task {record.task_id} has no validated blueprint")
    row_id = f"{record.task_id}/attempt{attempt}"
    seed = attempt_seed(record.seed, record.task_id, attempt)
    started = time.monotonic()
    messages, env, end_reason, counters = await run_conversation(
        domain, blueprint, human_llm, agent_llm, judge_llm, cfg, row_id=row_id, seed=seed,
    )
    verdict, blame = await judged_verdict(domain, blueprint, record.gold_fingerprint, messages, end_reason, judge_llm,
                                          env=env, failure=counters.failure, row_id=row_id, seed=seed)
    usage = _usage_of([human_llm, agent_llm, judge_llm], row_id)
    record.attempts.append(Attempt(
        attempt=attempt, messages=messages, end_reason=end_reason, passed=verdict.passed, reasons=verdict.reasons,
        blame=blame, final_fingerprint=verdict.final_fingerprint, state_diff=verdict.state_diff, tool_calls=counters.tool_calls,
        tool_errors=counters.tool_errors, user_turns=counters.user_turns, human_candidates=counters.human_candidates,
        resampled=counters.resampled,
        usage=usage, seconds=round(time.monotonic() - started, 4),
    ))
    record.add_usage(usage)
    return record


class Interplay(LLMStage):
    """One conversation attempt (number `attempt`) per validated task that still needs one."""

    attempt: int = Field(default=1, ge=1, description="which attempt this step plays (1-based)")

    def role_names(self) -> list[str]:
        # the judge picks user replies (stabilisation) and says who made a failed attempt fail
        return ["human", "agent", "judge"]

    def applies(self, record: TaskRecord) -> bool:
        cfg = self.config.interplay
        if record.status != "validated" or record.blueprint is None or self.attempt > cfg.attempts:
            return False
        if len(record.attempts) >= self.attempt:
            return False
        return cfg.keep_all_successes or not record.succeeded

    async def run_task(self, record: TaskRecord) -> TaskRecord:
        return await run_attempt(self.domain, record, self.attempt, self.role_llm("human"), self.role_llm("agent"),
                                 self.role_llm("judge"), self.config.interplay)
