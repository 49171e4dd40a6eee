"""The simulator backend: its mistake rates come with the role that uses it, nowhere else."""

from __future__ import annotations

import asyncio
import json

import pytest

from builder.config import BuildConfig
from builder.llm import LLMConfigError, RoleConfig, make_llm
from builder.llm.base import ChatLLM
from builder.llm.registry import BACKENDS
from builder.prompts.interplay import human_system_prompt
from builder.llm.types import Message
from builder.simulator.config import SimulatorConfig


def test_every_registered_backend_names_a_chat_class():
    assert set(BACKENDS) == {"openai", "litellm", "anthropic", "vllm", "llamacpp", "simulator"}
    for backend in BACKENDS.values():
        assert issubclass(backend.chat_class(), ChatLLM), backend.name


def test_rates_come_from_the_roles_backend_options():
    llm = make_llm("human", RoleConfig(backend_options={"user_early_stop": 1.0}))
    assert llm.rates == SimulatorConfig(user_early_stop=1.0)
    assert make_llm("agent", RoleConfig()).rates == SimulatorConfig()


def test_a_user_that_always_stops_early_stops_when_asked_to_identify():
    instruction = 'Your email is "a@b.c".\nYou also want the agent to calculate with expression "1 + 1" and tell you the result.'
    msgs = [Message(role="system", content=human_system_prompt(instruction)),
            Message(role="user", content="Hi! How can I help you today?"),
            Message(role="assistant", content='I would like to calculate with expression "1 + 1".'),
            Message(role="user", content="Before I can help, I need to verify your identity. What is your email?")]
    careful, quitter = (make_llm("human", RoleConfig(backend_options={"user_early_stop": rate, "user_drift": 0.0}))
                        for rate in (0.0, 1.0))
    said = [asyncio.run(llm.achat(msgs, row_id="r", seed=1)).content for llm in (careful, quitter)]
    assert "###STOP###" not in said[0] and "###STOP###" in said[1]


@pytest.mark.parametrize("options,named", [({"user_drift": 2}, "user_drift"), ({"user_drfit": 0.1}, "user_drfit")])
def test_bad_rates_are_refused_when_the_role_is_built(options, named):
    with pytest.raises(LLMConfigError) as e:
        make_llm("reviewer_1", RoleConfig(backend_options=options))
    assert "roles.reviewers.1.backend_options" in str(e.value) and named in str(e.value)


def test_a_run_without_the_simulator_carries_no_rates():
    real = {"backend": "openai:m", "base_url": "http://localhost:1/v1"}
    config = BuildConfig(roles={name: real for name in ("generator", "human", "agent", "judge")} | {"reviewers": [real]})
    dumped = json.dumps(config.model_dump(mode="json"))
    assert not any(rate in dumped for rate in SimulatorConfig.model_fields)
