"""Outage notes in the run folder: what steps leave for the build, and the message it ends with."""

from builder.llm.config import RoleConfig, RolesConfig
from builder.llm.errors import EndpointDown
from builder.run.outage import clear_outages, note_outage, outage_message, read_outages


def test_each_endpoint_down_is_named_with_the_roles_it_serves(tmp_path):
    gpu = RoleConfig(backend="openai:qwen", base_url="http://user:SECRET@gpu:8000/v1")
    api = RoleConfig(backend="anthropic:claude")
    roles = RolesConfig(generator=api, reviewers=[api, api], human=gpu, agent=gpu)
    assert read_outages(tmp_path) == []
    for down in (EndpointDown(endpoint="http://gpu:8000/v1#qwen", role="agent", down_s=121.4, error="ConnectError: refused."),
                 EndpointDown(endpoint="http://gpu:8000/v1#qwen", role="human", down_s=0.2, error="ConnectError: refused."),
                 EndpointDown(endpoint="https://api.anthropic.com#claude", role="reviewer_1", down_s=3, error="x")):
        note_outage(tmp_path, down)
    notes = read_outages(tmp_path)
    assert sorted(n.endpoint for n in notes) == ["http://gpu:8000/v1#qwen", "https://api.anthropic.com#claude"]
    message = outage_message(notes, roles)
    assert "endpoint http://gpu:8000/v1#qwen (roles human, agent) cannot be reached" in message
    assert "endpoint https://api.anthropic.com#claude (roles generator, reviewer_0, reviewer_1) cannot be reached" in message
    assert "SECRET" not in message and message.endswith("Run the same command to resume once it is back.")
    clear_outages(tmp_path)
    assert read_outages(tmp_path) == []
