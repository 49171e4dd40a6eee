"""Credentials in URLs and request bodies are hidden wherever a config or a URL becomes text, and
a run whose config held them resumes: the folder's config.yaml (hidden) is the same run."""

import os

import pytest

from builder.config import parse_config
from builder.redact import redact_data, redact_text, redact_url
from builder.run.folder import CONFIG, ROLES_ENV, prepare_run, read_config


@pytest.mark.parametrize("url, shown", [
    ("http://user:pw@host:8000/v1", "http://***@host:8000/v1"),
    ("https://tok3n@host/v1", "https://***@host/v1"),
    ("https://host/v1?api-version=2024-02-01&api_key=k1&key=k2", "https://host/v1?api-version=2024-02-01&api_key=***&key=***"),
    ("https://host/v1?access_token=t&sig=s&x-api-key=k", "https://host/v1?access_token=***&sig=***&x-api-key=***"),
    ("http://u:p@[::1/v1", "http://***@[::1/v1"),  # does not parse as a URL: userinfo hidden all the same
    ("http://localhost:8000/v1?max_tokens=5", "http://localhost:8000/v1?max_tokens=5"),
])
def test_urls_lose_their_credentials_and_nothing_else(url, shown):
    assert redact_url(url) == shown
    assert redact_url(shown) == shown  # idempotent
    assert redact_text(f"failed at {url}: 500") == f"failed at {shown}: 500"


def test_configs_lose_credential_fields_but_keep_variable_names_and_counts():
    data = {"api_key_env": "OPENAI_API_KEY", "max_tokens": 64, "extra_body": {
        "api_key": "k", "Authorization": "Bearer k", "auth": {"password": "p", "user": "u"},
        "chat_template_kwargs": {"enable_thinking": False}}}
    assert redact_data(data) == {"api_key_env": "OPENAI_API_KEY", "max_tokens": 64, "extra_body": {
        "api_key": "***", "Authorization": "***", "auth": {"password": "***", "user": "u"},
        "chat_template_kwargs": {"enable_thinking": False}}}


def test_a_run_with_credentials_keeps_them_out_of_its_folder_and_resumes(tmp_path, monkeypatch):
    monkeypatch.delenv(ROLES_ENV, raising=False)
    role = {"backend": "openai:m", "base_url": "http://u:SECRET@127.0.0.1:9/v1", "extra_body": {"token": "SECRET"}}
    config = parse_config({"roles": {"agent": role}})
    assert prepare_run(tmp_path / "run", config) is False
    assert "SECRET" not in (tmp_path / "run" / CONFIG).read_text()
    # the step processes read the folder's config with the credentials the build was given
    assert read_config(tmp_path / "run").roles.agent == config.roles.agent
    assert prepare_run(tmp_path / "run", config) is True  # the same run
    other = parse_config({"roles": {"agent": {**role, "base_url": "http://u:SECRET@127.0.0.1:10/v1"}}})
    with pytest.raises(Exception, match=r"roles.agent.base_url \('http://\*\*\*@127.0.0.1:9/v1' in the folder"):
        prepare_run(tmp_path / "run", other)
    monkeypatch.delenv(ROLES_ENV)  # another process (publish, a card) sees only what the folder holds
    assert read_config(tmp_path / "run").roles.agent.base_url == "http://***@127.0.0.1:9/v1"
    assert os.environ.get(ROLES_ENV) is None
