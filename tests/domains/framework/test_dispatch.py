"""Model tool calls reach only the domain's registered tools, with validated arguments.

A tool name is model text: it is looked up in the domain's tool table, never resolved as an
attribute, so names of Python internals, private methods or other objects' attributes are
unknown tools; and arguments cannot smuggle in the database or extra keys.
"""

import asyncio

import pytest

from builder.config import InterplayConfig
from builder.llm.config import RoleConfig
from builder.llm.types import ChatReply, ToolCall
from builder.simulator.backend import simulator_llm
from domains import load_domain
from steps.interplay import run_conversation
from tests.domains.framework.toy import build_toy
from tests.simulator.test_human_agent import make_blueprint, sim_llms, sim_responder

NOT_TOOLS = [
    "__class__", "__init__", "__dict__", "__globals__", "__import__", "eval", "exec", "getattr",
    "_execute", "execute", "reset", "fingerprint", "diff", "db", "domain", "trace", "tools",
    "validate", "func", "args_model", "cancel_order.func", "cancel_order.__globals__", "os.system", "",
]


@pytest.fixture(params=["toy", "retail", "airline"])
def domain(request):
    return build_toy() if request.param == "toy" else load_domain(request.param)


@pytest.mark.parametrize("name", NOT_TOOLS + [None, 5, ["cancel_order"], {"name": "cancel_order"}])
def test_a_name_that_is_not_a_registered_tool_is_an_unknown_tool(domain, name):
    env = domain.new_environment()
    before = env.fingerprint()
    obs = env.execute(name, {})
    assert not obs.ok and obs.error_code == "unknown_tool" and obs.kind is None
    assert env.fingerprint() == before


def test_arguments_cannot_pass_the_database_or_extra_keys():
    env = build_toy().new_environment()
    for args in ({"db": None, "email": "a@b.c"}, {"email": "a@b.c", "__class__": "x"}, {"email": {"$ne": ""}}):
        obs = env.execute("find_user_id_by_email", args)
        assert obs.error_code == "invalid_arguments", args


def test_an_agent_calling_internals_gets_unknown_tool_observations():
    """The whole path: a model reply naming `__class__` or a private method, through the interplay."""
    sim = sim_responder()

    def prying(messages, tools, *, seed, row_id):
        if tools:
            return ChatReply(tool_calls=[ToolCall(id=f"c{len(messages)}", name=name, arguments={})
                                         for name in ("__class__", "_execute")])
        return sim(messages, tools, seed=seed, row_id=row_id)

    toy = build_toy()
    human, _, judge = sim_llms()
    agent = simulator_llm("agent", RoleConfig(), responder=prying)
    blueprint, _ = make_blueprint(toy, 0)
    messages, env, end, counters = asyncio.run(run_conversation(
        toy, blueprint, human, agent, judge, InterplayConfig(max_tool_errors=3), row_id="r", seed=1))
    observations = [m for m in messages if m.role == "tool"]
    assert end == "max_errors" and observations
    assert all(m.content.startswith("Error: unknown tool") for m in observations)
    assert {o.name for o in env.trace} == {"__class__", "_execute"}
    assert all(o.error_code == "unknown_tool" for o in env.trace)
    assert env.fingerprint() == toy.new_environment().fingerprint()
