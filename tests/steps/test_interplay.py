"""run_conversation, run_attempt and the Interplay step: limits, failures, determinism, concurrency."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from builder.config import BuildConfig, InterplayConfig
from builder.llm.config import RoleConfig
from builder.llm.types import ChatReply, ToolCall
from builder.llm.usage import UsageLedger
from builder.records import Context, RoundRecord, TaskRecord
from builder.simulator.backend import simulator_llm
from builder.simulator.config import SimulatorConfig
from domains.framework.sampling import replay
from steps.interplay import Interplay, human_messages, run_attempt, run_conversation
from tests.domains.framework.toy import build_toy
from tests.simulator.test_human_agent import ZERO, make_blueprint, rates_with, sim_llms, sim_responder

TOY = build_toy()
TOY_SPEC = "tests.domains.framework.toy:build_toy"


def validated_record(domain, i: int, task_id: str | None = None) -> TaskRecord:
    bp, gold = make_blueprint(domain, i)
    return TaskRecord(
        task_id=task_id or f"task-{i}", domain=domain.name, seed=7,
        context=Context(user_id="u", records={}, chain=[], scenarios=[], persona="p"),
        rounds=[RoundRecord(round=0, blueprint=bp, passed=True, gold_fingerprint=gold)], status="validated",
    )


def test_max_turns_ends_the_conversation():
    bp, _ = make_blueprint(TOY, 0)
    messages, env, end, counters = asyncio.run(run_conversation(
        TOY, bp, *sim_llms(), InterplayConfig(max_turns=3), row_id="r", seed=1))
    assert end == "max_turns" and counters.turns <= 3
    assert sum(m.role == "user" for m in messages) + sum(m.role == "assistant" and bool(m.content) for m in messages) <= 3


def test_max_tool_errors_ends_the_conversation():
    sim = sim_responder()

    def clumsy(messages, tools, *, seed, row_id):
        if tools:  # the agent calls a tool that does not exist, forever
            return ChatReply(tool_calls=[ToolCall(id=f"x{len(messages)}", name="nope", arguments={})])
        return sim(messages, tools, seed=seed, row_id=row_id)

    human, _, judge = sim_llms()
    agent = simulator_llm("agent", RoleConfig(), responder=clumsy)
    bp, _ = make_blueprint(TOY, 0)
    _, _, end, counters = asyncio.run(run_conversation(TOY, bp, human, agent, judge, InterplayConfig(max_tool_errors=2),
                                                       row_id="r", seed=1))
    assert end == "max_errors" and counters.tool_errors == 3


def test_an_llm_that_fails_for_good_is_recorded_not_raised():
    sim = sim_responder()

    def down(messages, tools, *, seed, row_id):
        if tools:
            raise ConnectionError("endpoint unreachable")
        return sim(messages, tools, seed=seed, row_id=row_id)

    ledger = UsageLedger()
    human = simulator_llm("human", RoleConfig(), responder=sim, ledger=ledger)
    agent = simulator_llm("agent", RoleConfig(max_retries=0), responder=down, ledger=ledger)
    record = validated_record(TOY, 0)
    out = asyncio.run(run_attempt(TOY, record, 1, human, agent, None, InterplayConfig()))
    (attempt,) = out.attempts
    assert attempt.end_reason == "llm_failure" and not attempt.passed
    assert [(r.stage, r.code) for r in attempt.reasons][0] == ("llm", "llm_failure")
    assert "endpoint unreachable" in attempt.reasons[0].message
    assert attempt.messages[1].role == "user"  # what was said before the failure is kept
    assert attempt.usage["agent"]["failures"] == 1 and attempt.usage["human"]["calls"] == 1


def test_attempts_are_deterministic_distinct_and_book_their_usage():
    ledger = UsageLedger()
    responder = sim_responder(SimulatorConfig())  # default mistake rates
    llms = [simulator_llm(r, RoleConfig(), responder=responder, ledger=ledger) for r in ("human", "agent", "judge")]
    record = validated_record(TOY, 1)
    a = asyncio.run(run_attempt(TOY, record.model_copy(deep=True), 1, *llms, InterplayConfig()))
    b = asyncio.run(run_attempt(TOY, record.model_copy(deep=True), 1, *llms, InterplayConfig()))
    assert a.attempts[0].messages == b.attempts[0].messages
    assert a.attempts[0].usage == b.attempts[0].usage and set(a.attempts[0].usage) == {"human", "agent"}
    assert a.usage == a.attempts[0].usage
    assert ledger.row(f"{record.task_id}/attempt1") == {}  # taken off the ledger
    seeds = {tuple(m.content or "" for m in asyncio.run(
        run_attempt(TOY, record.model_copy(deep=True), k, *llms, InterplayConfig())).attempts[0].messages)
        for k in (1, 2, 3, 4)}
    assert len(seeds) > 1  # attempts differ (other seeds, other row ids)


def test_kept_conversations_replay_to_the_gold_state():
    llms = sim_llms()
    for i in range(10):
        record = asyncio.run(run_attempt(TOY, validated_record(TOY, i), 1, *llms, InterplayConfig()))
        attempt = record.attempts[0]
        assert attempt.passed, attempt.reasons
        calls = [(c.name, c.arguments) for m in attempt.messages if m.role == "assistant" for c in m.tool_calls or []]
        assert replay(TOY, calls)[0].fingerprint() == record.gold_fingerprint == attempt.final_fingerprint
        assert attempt.tool_calls == len(calls) and attempt.user_turns >= 2


def test_stabilisation_with_a_judge_that_answers_garbage_keeps_the_first_candidate():
    sim = sim_responder(rates_with(user_drift=0.5))

    def garbage(messages, tools, *, seed, row_id):
        return ChatReply(content="I like candidate two.")

    human, agent, _ = [simulator_llm(r, RoleConfig(), responder=sim) for r in ("human", "agent", "judge")]
    judge = simulator_llm("judge", RoleConfig(), responder=garbage)
    bp, _ = make_blueprint(TOY, 2)
    messages, _, end, counters = asyncio.run(run_conversation(TOY, bp, human, agent, judge,
                                                              InterplayConfig(user_candidates=3), row_id="r", seed=5))
    assert end == "stop" and counters.human_candidates == 2 * counters.user_turns
    first = asyncio.run(human.achat(human_messages(bp.instruction, []), row_id="r", seed=5))
    assert messages[1].content == first.content


def test_a_slow_conversation_does_not_block_the_others():
    sim = sim_responder()
    finished: list[str] = []

    async def responder(messages, tools, *, seed, row_id):
        if row_id.startswith("slow"):
            await asyncio.sleep(0.02)
        return sim(messages, tools, seed=seed, row_id=row_id)

    llms = [simulator_llm(r, RoleConfig(concurrency=64), responder=responder) for r in ("human", "agent", "judge")]
    bp, _ = make_blueprint(TOY, 3)

    async def one(row_id):
        out = await run_conversation(TOY, bp, *llms, InterplayConfig(), row_id=row_id, seed=3)
        finished.append(row_id)
        return out

    async def main():
        return await asyncio.gather(one("slow"), *(one(f"fast{k}") for k in range(5)))

    started = time.monotonic()
    results = asyncio.run(main())
    assert finished[-1] == "slow" and len(finished) == 6
    assert all(r[2] == "stop" for r in results)
    assert time.monotonic() - started < 5


# -- the stage ----------------------------------------------------------------------------------
@pytest.fixture
def stage_env():
    from domains import load_domain
    from steps.chain import role_llms

    careful = {"backend_options": ZERO.model_dump()}
    config = BuildConfig(domain=TOY_SPEC, roles={"human": careful, "agent": careful, "judge": careful},
                         interplay=InterplayConfig(attempts=2))
    return config, load_domain(TOY_SPEC), role_llms(config)


def _run_stage(stage_env, attempt: int, records: list[TaskRecord]) -> list[TaskRecord]:
    config, domain, llms = stage_env
    stage = Interplay(stage_key=f"interplay.a{attempt}", attempt=attempt).bind(config, domain, llms)
    return [asyncio.run(stage.advance(r)) or r for r in records]


def test_the_stage_appends_verified_attempts_once(stage_env):
    from domains import load_domain

    toy = load_domain(TOY_SPEC)
    pending = validated_record(toy, 4, "t-pending").model_copy(update={"status": "pending"})
    records = [validated_record(toy, 0, "t-0"), validated_record(toy, 1, "t-1"), pending]
    first = _run_stage(stage_env, 1, records)
    assert [len(r.attempts) for r in first] == [1, 1, 0]
    assert all(r.attempts[0].passed for r in first[:2]), [r.attempts[0].reasons for r in first[:2]]
    assert first[0].usage["agent"]["calls"] > 0
    # attempt 2 skips tasks that already have a verified conversation
    second = _run_stage(stage_env, 2, first)
    assert [len(r.attempts) for r in second] == [1, 1, 0]


def test_the_user_writes_the_first_message_as_the_customer():
    """The user model is handed no line of the agent before its first message, only a stage
    direction; its prompt says it is the customer; afterwards it sees the agent's words as the
    other side and never the tool traffic."""
    from builder.conversation_protocol import OPENING_CUE
    from builder.llm.types import Message

    opening = human_messages("You want to cancel order #O1_0.", [])
    assert [m.role for m in opening] == ["system", "user"] and opening[1].content == OPENING_CUE
    assert opening[0].content.startswith("You are the CUSTOMER") and "You write\nfirst" in opening[0].content
    assert OPENING_CUE.startswith("[") and "as the customer" in OPENING_CUE
    transcript = [Message(role="system", content="agent policy"), Message(role="user", content="Cancel #O1_0 please."),
                  Message(role="assistant", tool_calls=[ToolCall(id="c", name="get_order_details", arguments={})]),
                  Message(role="tool", tool_call_id="c", content='{"status": "pending"}'),
                  Message(role="assistant", content="Shall I cancel #O1_0?")]
    later = human_messages("You want to cancel order #O1_0.", transcript)
    assert [(m.role, m.content) for m in later[1:]] == [
        ("user", OPENING_CUE), ("assistant", "Cancel #O1_0 please."), ("user", "Shall I cancel #O1_0?")]


@pytest.mark.parametrize("mode", ["native", "prompt"])
def test_the_agents_tool_calls_work_in_both_tool_calling_modes(mode):
    """Native: the backend gets the tools and answers with structured calls. Prompt: it gets the
    tools described in text and answers with `<tool_call>` text; the stored conversation is the same."""
    from builder.conversation_protocol import STOP

    seen = []

    def agent(messages, tools, *, seed, row_id):
        seen.append((messages, tools))
        if messages[-1].role == "user" and "#O1_0" in (messages[-1].content or "") and len(seen) == 1:
            call = {"name": "get_order_details", "arguments": {"order_id": "#O1_0"}}
            if mode == "native":
                return ChatReply(tool_calls=[ToolCall(id="call_1", **call)])
            return ChatReply(content=f"<tool_call>{json.dumps(call)}</tool_call>")
        return ChatReply(content="Your order #O1_0 is pending.")

    def human(messages, tools, *, seed, row_id):
        return ChatReply(content="What is the status of order #O1_0?" if len(messages) == 2 else STOP)

    bp, _ = make_blueprint(TOY, 0)
    llms = [simulator_llm("human", RoleConfig(), responder=human),
            simulator_llm("agent", RoleConfig(tool_calling=mode), responder=agent), None]
    messages, _, end, counters = asyncio.run(run_conversation(TOY, bp, *llms, InterplayConfig(), row_id="r", seed=1))
    assert end == "stop" and counters.tool_calls == 1 and counters.tool_errors == 0
    assert [c.name for c in messages[2].tool_calls] == ["get_order_details"] and not messages[2].content
    assert messages[3].role == "tool" and '"status": "pending"' in messages[3].content
    assert messages[4].content == "Your order #O1_0 is pending."
    first_tools, second_messages = seen[0][1], seen[1][0]
    assert (first_tools is not None) == (mode == "native")
    result = [m for m in second_messages if "pending" in (m.content or "") and m.role in ("tool", "user")]
    assert result and (result[0].role == "tool") == (mode == "native")  # prompt mode: a <tool_response> text


def test_empty_and_echoed_replies_are_drawn_again_with_a_new_seed():
    """A small model that answers as the other side (repeating its greeting) or says nothing
    gets new draws with new seeds; the first sound reply is kept, and the redraws are counted."""
    from builder.conversation_protocol import OPENING_CUE, STOP
    from steps.interplay import MAX_RESAMPLES, is_echo_or_empty

    assert is_echo_or_empty("", "anything") and is_echo_or_empty("  ", None)
    assert is_echo_or_empty("How can I help you today?", "Hi! How can I help you today?")
    assert not is_echo_or_empty("I want to cancel order #O1_0.", "Hi! How can I help you today?")
    assert not is_echo_or_empty(STOP, "Bye!") and not is_echo_or_empty("Yes.", "Shall I proceed? Yes or no?")
    assert is_echo_or_empty("yes", "Yes!") and not is_echo_or_empty("the chat is open", "The chat is open now, hello.")
    assert is_echo_or_empty(STOP, OPENING_CUE, opening=True) and not is_echo_or_empty(f"Bye. {STOP}", "x", opening=True)

    human_seeds, agent_seeds = [], []

    def human(messages, tools, *, seed, row_id):
        human_seeds.append(seed)
        if len(messages) == 2:  # the first message: an echo of the cue, then an empty one, then a request
            replies = ["[The chat is open and the agent is waiting.", "", "Cancel order #O1_0 please."]
            return ChatReply(content=replies[min(len(human_seeds) - 1, 2)])
        return ChatReply(content=STOP)

    def agent(messages, tools, *, seed, row_id):
        agent_seeds.append(seed)
        return ChatReply(content=messages[-1].content if len(agent_seeds) == 1 else "Sure, I can help with that.")

    bp, _ = make_blueprint(TOY, 0)
    llms = [simulator_llm("human", RoleConfig(), responder=human), simulator_llm("agent", RoleConfig(), responder=agent), None]
    messages, _, end, counters = asyncio.run(run_conversation(TOY, bp, *llms, InterplayConfig(), row_id="r", seed=1))
    assert [m.content for m in messages[1:]] == ["Cancel order #O1_0 please.", "Sure, I can help with that.", STOP]
    assert counters.resampled == 3 and len(set(human_seeds[:3])) == 3 and len(set(agent_seeds)) == 2
    assert counters.user_turns == 2 and counters.agent_turns == 1

    def mute(messages, tools, *, seed, row_id):
        return ChatReply(content="")

    llms = [simulator_llm("human", RoleConfig(), responder=mute), simulator_llm("agent", RoleConfig(), responder=mute), None]
    messages, _, end, counters = asyncio.run(run_conversation(TOY, bp, *llms, InterplayConfig(max_turns=2),
                                                              row_id="r", seed=1))
    assert end == "max_turns" and counters.resampled == 2 * MAX_RESAMPLES  # bounded: the last draw is kept
