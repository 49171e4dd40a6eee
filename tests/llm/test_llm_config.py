from __future__ import annotations

import json
import pickle

import pytest

from builder.config import parse_config
from builder.errors import UserError
from builder.llm import LLMConfigError, RoleConfig, RolesConfig, make_llm, parse_backend
from builder.llm.config import endpoint_key, resolve_api_key


def test_defaults_are_all_simulator_with_three_reviewers():
    roles = RolesConfig()
    assert all(cfg.is_simulator for _, cfg in roles.named())
    assert len(roles.reviewers) == 3
    assert [n for n, _ in roles.named()] == ["generator", "reviewer_0", "reviewer_1", "reviewer_2", "human", "agent", "judge"]
    cfg = roles.agent
    assert (cfg.concurrency, cfg.max_retries, cfg.tool_calling) == (8, 5, "native")


@pytest.mark.parametrize("spec,expected", [
    ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini")),
    ("litellm:bedrock/anthropic.claude-3", ("litellm", "bedrock/anthropic.claude-3")),
    ("anthropic:claude-3-5-sonnet", ("anthropic", "claude-3-5-sonnet")),
    ("vllm:Qwen/Qwen2.5-7B-Instruct", ("vllm", "Qwen/Qwen2.5-7B-Instruct")),
    ("llamacpp:/models/m.gguf", ("llamacpp", "/models/m.gguf")),
    ("simulator", ("simulator", "simulator")),
    ("OpenAI:m", ("openai", "m")),
])
def test_parse_backend(spec, expected):
    assert tuple(parse_backend(spec)) == expected


def test_unknown_backend_names_field_and_known_kinds():
    with pytest.raises(LLMConfigError) as e:
        parse_backend("ollama:llama3", field="roles.agent.backend")
    msg = str(e.value)
    assert "roles.agent.backend" in msg and "'ollama'" in msg and "'openai'" in msg
    assert isinstance(e.value, UserError)


def test_backend_without_model():
    with pytest.raises(LLMConfigError, match="needs a model"):
        parse_backend("openai")


def test_bad_roles_are_reported_by_field_path():
    with pytest.raises(UserError) as e:
        parse_config({"roles": {"agent": {"backend": "openai:m", "tempratur": 0.3},
                                "reviewers": [{}, {"backend": "nope:x"}],
                                "human": {"concurrency": 0}}})
    msg = str(e.value)
    assert "roles.agent.tempratur: unknown field" in msg
    assert "roles.reviewers.1.backend" in msg and "unknown backend 'nope'" in msg
    assert "roles.human.concurrency" in msg


def test_reviewers_need_at_least_one():
    with pytest.raises(UserError, match="roles.reviewers"):
        parse_config({"roles": {"reviewers": []}})


def test_api_key_env_must_be_a_name_not_a_key():
    with pytest.raises(ValueError, match="NAME of an environment variable"):
        RoleConfig(backend="openai:m", api_key_env="sk-proj-abc123")


def test_missing_key_variable_names_variable_and_role(monkeypatch):
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    cfg = RoleConfig(backend="openai:m", base_url="http://localhost:1/v1", api_key_env="MY_LLM_KEY")
    with pytest.raises(LLMConfigError) as e:
        make_llm("reviewer_1", cfg)
    assert "MY_LLM_KEY" in str(e.value) and "reviewer_1" in str(e.value)


def test_public_openai_needs_a_key_but_local_server_does_not(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        resolve_api_key("generator", RoleConfig(backend="openai:gpt-4o"))
    assert resolve_api_key("generator", RoleConfig(backend="openai:m", base_url="http://127.0.0.1:8000/v1")) is None
    assert resolve_api_key("generator", RoleConfig()) is None


def test_missing_gguf_file():
    with pytest.raises(LLMConfigError, match="not found"):
        make_llm("agent", RoleConfig(backend="llamacpp:/nonexistent/model.gguf"))


def test_endpoint_key_is_base_url_and_model():
    a = RoleConfig(backend="openai:m", base_url="http://h:1/v1/")
    b = RoleConfig(backend="openai:m", base_url="http://h:1/v1", temperature=0.1)
    assert endpoint_key(a) == endpoint_key(b) == "http://h:1/v1#m"
    assert endpoint_key(RoleConfig(backend="openai:other", base_url="http://h:1/v1")) != endpoint_key(a)


def test_secret_never_in_repr_dump_or_pickle(monkeypatch):
    secret = "sk-test-SECRET-0123456789"
    monkeypatch.setenv("MY_LLM_KEY", secret)
    cfg = RoleConfig(backend="openai:m", base_url="http://127.0.0.1:9/v1", api_key_env="MY_LLM_KEY")
    llm = make_llm("agent", cfg)
    llm.load()
    assert secret not in repr(llm)
    assert secret not in json.dumps(llm.dump())
    assert secret.encode() not in pickle.dumps(llm)
    assert "MY_LLM_KEY" in json.dumps(llm.dump())  # the name is kept, so the run can be resumed


def test_unknown_backend_kind_from_role_config():
    with pytest.raises(ValueError, match="unknown backend"):
        RoleConfig(backend="gpt4")
