"""The `curation:` section: defaults, validation, and its place outside the run's identity."""

from __future__ import annotations

import pytest

from builder.config import BuildConfig, parse_config
from builder.errors import UserError
from builder.run.folder import prepare_run, read_config


def test_defaults_only_deduplicate():
    c = BuildConfig().curation
    assert (c.dedup_instructions, c.dedup_actions, c.dedup_conversations, c.near_dup_threshold) == (True, True, True, 0.8)
    assert (c.min_user_turns, c.max_user_turns, c.max_tool_errors, c.max_chars, c.domain_cap) == (None,) * 5
    assert c.test_share == 0.0


@pytest.mark.parametrize("curation, message", [
    ({"test_shares": 0.1}, "curation.test_shares: unknown field"),
    ({"test_share": 1.0}, "curation.test_share"),
    ({"near_dup_threshold": 0}, "curation.near_dup_threshold"),
    ({"min_user_turns": 5, "max_user_turns": 2}, "min_user_turns \\(5\\) is above max_user_turns \\(2\\)"),
    ({"domain_cap": "largest"}, "curation.domain_cap"),
    ({"domain_cap": 0}, "domain_cap must be at least 1"),
    ({"memory_limit": "lots"}, "curation.memory_limit"),
])
def test_bad_settings_name_the_field(curation, message):
    with pytest.raises(UserError, match=message):
        parse_config({"curation": curation})


def test_domain_cap_takes_a_number_or_smallest():
    assert parse_config({"curation": {"domain_cap": 100}}).curation.domain_cap == 100
    assert parse_config({"curation": {"domain_cap": "smallest"}}).curation.domain_cap == "smallest"


def test_curation_is_not_part_of_the_runs_identity(tmp_path):
    """Re-building a finished run with other curation settings resumes it (and re-curates)."""
    first = BuildConfig(domain="toy", seed=1)
    other = parse_config({"domain": "toy", "seed": 1, "curation": {"test_share": 0.2, "max_chars": 9000}})
    assert first.fingerprint() == other.fingerprint()
    assert prepare_run(tmp_path, first) is False
    assert prepare_run(tmp_path, other) is True
    with pytest.raises(UserError, match="different config"):
        prepare_run(tmp_path, parse_config({"domain": "toy", "seed": 2}))


def test_a_folder_written_before_curation_existed_resumes(tmp_path):
    config = BuildConfig(domain="toy", seed=1)
    data = config.model_dump(mode="json")
    del data["curation"]
    import yaml

    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data))
    assert read_config(tmp_path).curation == config.curation
    assert prepare_run(tmp_path, config) is True
