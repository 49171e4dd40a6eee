"""The simulated human and agent play whole conversations; the judge scores user replies.

Blueprints are built the way the simulator's generator builds them: a sampled chain is the gold
action list, its targets (with their short read answers as outputs) go into the instruction.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections import Counter

import pytest

from builder.config import InterplayConfig
from builder.conversation_protocol import MALFORMED_KEY, OPENING_CUE, STOP, TRANSFER, has_stop, has_transfer
from builder.llm.context_tag import extract
from builder.llm.types import ChatReply, Message
from builder.prompts.interplay import human_system_prompt, judge_messages
from builder.records import Action, Blueprint
from builder.simulator import agent, human, judge, phrases
from builder.simulator.backend import simulator_llm
from builder.simulator.config import SimulatorConfig
from builder.simulator.responder import default_responder
from domains import load_domain
from domains.framework.sampling import replay
from tests.domains.framework.toy import build_toy

MISTAKES = ["user_drift", "user_early_stop", "agent_wrong_argument", "agent_skip_confirmation",
            "agent_forget_output", "agent_malformed_call", "judge_noise"]
ZERO = SimulatorConfig(**{k: 0.0 for k in MISTAKES})


def rates_with(**set_to: float) -> SimulatorConfig:
    return ZERO.model_copy(update=set_to)


def sim_responder(rates: SimulatorConfig = ZERO):
    """The simulator's brain, making mistakes at `rates`."""
    return default_responder(rates)


def sim_llms(rates: SimulatorConfig = ZERO, ledger=None):
    responder = sim_responder(rates)
    return [simulator_llm(role, responder=responder, ledger=ledger) for role in ("human", "agent", "judge")]


_SHORT = re.compile(r"^-?\d+(\.\d+)?$")


def make_blueprint(domain, i: int, persona: str = "A busy nurse who types in short bursts.") -> tuple[Blueprint, str]:
    """A blueprint from a sampled chain, and its gold fingerprint; like phase 1, only tasks that
    change the state or have outputs (the next sample otherwise)."""
    for k in range(20):
        chain = domain.sampler.sample(random.Random(f"bp:{domain.name}:{i}:{k}"))
        bp = _blueprint_of(domain, chain, persona)
        if bp.outputs or any(domain.tools[a.name].kind == "write" for a in bp.actions):
            return bp, chain.fingerprint
    raise AssertionError("no task with an effect in 20 samples")


def _blueprint_of(domain, chain, persona: str) -> Blueprint:
    actions = [Action(name=c.name, arguments=c.arguments) for c in chain.calls]
    targets = [Action(name=c.name, arguments=c.arguments) for c in chain.calls if c.purpose == "target"]
    outputs = []
    for c in chain.calls:
        text = c.observation.strip().strip('"')
        if c.purpose == "target" and c.kind == "read" and c.ok and (_SHORT.match(text) or (0 < len(text) <= 40 and "{" not in text)):
            outputs.append(text)
    auth = next(c for c in chain.calls if c.purpose == "auth")
    tools = {n: s.parameters_schema for n, s in domain.tools.items()}  # as the generator passes them
    instruction = phrases.render_instruction(dict(auth.arguments), persona, targets, outputs, tools)
    return Blueprint(instruction=instruction, actions=actions, outputs=outputs)


def domain_named(name: str):
    if name == "toy":
        return build_toy()
    try:
        return load_domain(name)
    except Exception as exc:  # a domain still being written elsewhere
        pytest.skip(f"domain {name} not loadable: {exc}")


async def play(domain, n: int, rates: SimulatorConfig, *, cfg: InterplayConfig | None = None, start: int = 0):
    from steps.attribution import judged_verdict
    from steps.interplay import run_conversation

    llms = sim_llms(rates)
    cfg = cfg or InterplayConfig()
    out = []
    for i in range(start, start + n):
        bp, gold = make_blueprint(domain, i)
        messages, env, end, counters = await run_conversation(domain, bp, *llms, cfg, row_id=f"t{i}/attempt1", seed=i)
        verdict, _ = await judged_verdict(domain, bp, gold, messages, end, llms[2], env=env, row_id=f"t{i}/attempt1", seed=i)
        out.append((bp, gold, messages, env, end, counters, verdict))
    return out


# ---------------------------------------------------------------------------------------------
# whole conversations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,n", [("toy", 15), ("retail", 60), ("airline", 60)])
def test_without_mistakes_conversations_verify(name, n):
    domain = domain_named(name)
    results = asyncio.run(play(domain, n, ZERO))
    passed = [r for r in results if r[-1].passed]
    failed = [(r[-1].reasons, r[4]) for r in results if not r[-1].passed]
    assert len(passed) >= 0.97 * n, failed[:3]
    for bp, gold, messages, _env, end, counters, verdict in passed:
        assert end in ("stop", "transfer")
        # every kept conversation replays, call by call on a fresh environment, to the gold state
        calls = [(c.name, c.arguments) for m in messages if m.role == "assistant" for c in m.tool_calls or []]
        env, observations = replay(domain, calls)
        assert env.fingerprint() == gold == verdict.final_fingerprint
        assert messages[0].role == "system" and "<builder-context>" not in messages[0].content
        assert messages[1].role == "user"
        assert has_stop(messages[-1].content) or has_transfer(messages[-1].content)
        assert counters.user_turns >= 2 and counters.tool_calls == len(calls)


MISTAKE_REASONS = {
    "user_drift": ("user", "user_drift"),
    "user_early_stop": ("user", "user_early_stop"),
    "agent_wrong_argument": ("state", "state_mismatch"),
    "agent_skip_confirmation": ("rules", "confirmed_before_write"),
    "agent_forget_output": ("outputs", "output_missing"),
    "agent_malformed_call": ("interplay", "max_errors"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKE_REASONS))
def test_each_mistake_shows_up_as_its_reason(mistake):
    domain = domain_named("retail")
    results = asyncio.run(play(domain, 25, rates_with(**{mistake: 1.0})))
    reasons = Counter((r.stage, r.code) for res in results for r in res[-1].reasons)
    assert reasons[MISTAKE_REASONS[mistake]] >= 5, reasons
    failed = sum(not res[-1].passed for res in results)
    assert failed >= 10, reasons
    if mistake.startswith("agent_"):  # the user is not blamed for the agent's mistakes
        assert not any(stage == "user" for stage, _ in reasons), reasons


def test_malformed_calls_are_recorded_and_the_agent_recovers():
    domain = domain_named("retail")
    results = asyncio.run(play(domain, 25, rates_with(agent_malformed_call=0.3)))
    recovered = [r for r in results if r[5].malformed_calls and r[-1].passed]
    assert recovered
    bp, gold, messages, *_ = recovered[0]
    bad = [c for m in messages if m.role == "assistant" for c in m.tool_calls or [] if MALFORMED_KEY in c.arguments]
    assert bad
    answers = {m.tool_call_id: m.content for m in messages if m.role == "tool"}
    assert all(answers[c.id].startswith("Error: the tool call could not be parsed") for c in bad)


# ---------------------------------------------------------------------------------------------
# the human
# ---------------------------------------------------------------------------------------------
INSTRUCTION = (
    "You are a quiet introvert who gives only what is asked.\n"
    'Your email is "u1@example.com".\n'
    'You want to cancel order with order id "#O1_0" and reason "no longer needed".\n'
    "You do not know anything that is not written here; if you are asked for it, say so."
)


def human_says(turns: list[tuple[str, str]], rates: SimulatorConfig = ZERO, instruction: str = INSTRUCTION) -> str:
    """turns: ("agent"|"me", text), in the human's view."""
    messages = [Message(role="system", content=human_system_prompt(instruction)), Message(role="user", content=OPENING_CUE)]
    for who, text in turns:
        messages.append(Message(role="assistant" if who == "me" else "user", content=text))
    reply = human.respond(extract(messages), messages, random.Random(0), rates)
    return reply.content


def test_human_reveals_gradually_and_confirms_only_what_it_wants():
    first = human_says([])
    assert "cancel order" in first and "u1@example.com" not in first  # identity only when asked
    turns = [("me", first), ("agent", "Before I can help, I need to verify your identity. Could you give me your email?")]
    ident = human_says(turns)
    assert '"u1@example.com"' in ident
    turns += [("me", ident)]
    good = 'Please confirm: I will cancel order with order id "#O1_0" and reason "no longer needed". Shall I go ahead (yes/no)?'
    wrong = 'Please confirm: I will cancel order with order id "#O1_2" and reason "no longer needed". Shall I go ahead (yes/no)?'
    assert human_says(turns + [("agent", good)]).lower().startswith("yes")
    no = human_says(turns + [("agent", wrong)])
    assert no.lower().startswith("no") and '"#O1_0"' in no
    done = turns + [("agent", good), ("me", "Yes, please go ahead."),
                    ("agent", 'Done: cancel order with order id "#O1_0" has been completed successfully. Anything else?')]
    assert has_stop(human_says(done))
    assert human_says(done[:-1] + [("agent", "I have transferred you to a human agent. Please hold on.")]) == TRANSFER


def test_human_never_invents_what_it_was_not_told():
    vague = INSTRUCTION.replace(' and reason "no longer needed"', "")
    turns = [("me", "I'd like to cancel order with order id \"#O1_0\"."),
             ("agent", 'To cancel order, I still need the following: reason (one of "no longer needed", '
                       '"ordered by mistake"). Could you provide it?')]
    answer = human_says(turns, instruction=vague)
    assert phrases.says_dont_know(answer) and "no longer needed" not in answer and "ordered by mistake" not in answer


def test_human_mistakes_happen_at_their_decision_points():
    drift = human_says([], rates_with(user_drift=1.0))
    assert "cancel order" in drift and '"#O1_0"' not in drift  # the id is mistyped
    good = 'Please confirm: I will cancel order with order id "#O1_0" and reason "no longer needed". Shall I go ahead (yes/no)?'
    stop = human_says([("me", human_says([])), ("agent", good)], rates_with(user_early_stop=1.0))
    assert has_stop(stop)


# ---------------------------------------------------------------------------------------------
# the agent
# ---------------------------------------------------------------------------------------------
def agent_says(domain, texts: list[Message], rates: SimulatorConfig = ZERO) -> ChatReply:
    messages = [Message(role="system", content=domain.policy.text), *texts]
    return agent.respond(messages, domain.tool_schemas(), random.Random(0), rates)


def test_agent_identifies_the_user_with_the_matching_tool_then_confirms_before_writing():
    domain = build_toy()
    ask = agent_says(domain, [Message(role="user", content='I\'d like to cancel order with order id "#O1_0" and reason "no longer needed".')])
    assert not ask.tool_calls and phrases.is_identity_request(ask.content) and "email" in ask.content
    convo = [Message(role="user", content='I\'d like to cancel order with order id "#O1_0" and reason "no longer needed".'),
             Message(role="assistant", content=ask.content),
             Message(role="user", content='My email is "u1@example.com".')]
    call = agent_says(domain, convo)
    assert [(c.name, c.arguments) for c in call.tool_calls] == [("find_user_id_by_email", {"email": "u1@example.com"})]
    env = domain.new_environment()
    # feed the agent its own calls until it speaks
    for _ in range(6):
        reply = agent_says(domain, convo)
        if not reply.tool_calls:
            break
        convo.append(Message(role="assistant", tool_calls=reply.tool_calls))
        for c in reply.tool_calls:
            convo.append(Message(role="tool", tool_call_id=c.id, name=c.name, content=env.execute(c.name, c.arguments).content))
    assert [m.tool_calls[0].name for m in convo if m.tool_calls] == [
        "find_user_id_by_email", "get_user_details", "get_order_details"]
    assert phrases.is_confirmation_request(reply.content) and '"#O1_0"' in reply.content
    convo += [Message(role="assistant", content=reply.content), Message(role="user", content="Yes, please go ahead.")]
    write = agent_says(domain, convo)
    assert [(c.name, c.arguments) for c in write.tool_calls] == [
        ("cancel_order", {"order_id": "#O1_0", "reason": "no longer needed"})]
    wrong = agent_says(domain, convo, rates_with(agent_wrong_argument=1.0))
    assert wrong.tool_calls[0].arguments != write.tool_calls[0].arguments
    malformed = agent_says(domain, convo, rates_with(agent_malformed_call=1.0))
    assert not malformed.tool_calls and malformed.parse_errors
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed.parse_errors[0].raw)


def test_agent_transfers_when_asked_for_a_human():
    domain = domain_named("retail")
    reply = agent_says(domain, [Message(role="user", content="I want to talk to a human representative, please.")])
    assert [c.name for c in reply.tool_calls] == ["transfer_to_human_agents"]


# ---------------------------------------------------------------------------------------------
# the judge
# ---------------------------------------------------------------------------------------------
def test_judge_scores_consistent_replies_above_drift_and_early_stop():
    proposal = 'Please confirm: I will cancel order with order id "#O1_0" and reason "no longer needed". Shall I go ahead (yes/no)?'
    conversation = [{"role": "user", "content": 'I\'d like to cancel order with order id "#O1_0" and reason "no longer needed".'},
                    {"role": "agent", "content": proposal}]
    candidates = ["Yes, please go ahead.", f"Let's stop here. {STOP}",
                  'I\'d like to cancel order with order id "#O1_7" and reason "no longer needed".',
                  'My email is "someone.else@example.com".']
    messages = judge_messages(INSTRUCTION, conversation, candidates)
    scores = json.loads(judge.respond(extract(messages), messages, random.Random(0), ZERO).content)["scores"]
    assert scores[0] == 10 and all(s <= 3 for s in scores[1:])
    noisy = [json.loads(judge.respond(extract(messages), messages, random.Random(k), rates_with(judge_noise=1.0)).content)["scores"]
             for k in range(5)]
    assert any(s != scores for s in noisy)


def test_stabilisation_removes_user_mistakes():
    domain = domain_named("retail")
    rates = rates_with(user_drift=0.5, user_early_stop=0.5)
    plain = asyncio.run(play(domain, 20, rates))
    stable = asyncio.run(play(domain, 20, rates, cfg=InterplayConfig(user_candidates=4)))
    user_plain = sum(any(r.stage == "user" for r in res[-1].reasons) for res in plain)
    user_stable = sum(any(r.stage == "user" for r in res[-1].reasons) for res in stable)
    assert user_stable < user_plain
    assert sum(res[-1].passed for res in stable) > sum(res[-1].passed for res in plain)
    assert all(res[5].human_candidates > 0 for res in stable)
