"""One folder holds one run: a resume may change how hard endpoints are pushed, never what the rows are."""

from __future__ import annotations

import pytest

from builder.config import BuildConfig
from builder.errors import UserError
from builder.run.folder import prepare_run


def test_a_run_resumes_with_other_operational_settings(tmp_path):
    first = BuildConfig(tasks=3, roles={"agent": {"backend": "openai:m", "base_url": "http://h/v1"}})
    assert prepare_run(tmp_path / "run", first) is False
    pushed = BuildConfig(tasks=3, batch_size=64, roles={"agent": {
        "backend": "openai:m", "base_url": "http://h/v1", "concurrency": 256, "timeout_s": 600,
        "max_retries": 9, "retry_base_s": 2, "retry_max_s": 60, "outage_wait_s": 900}})
    assert pushed.fingerprint() == first.fingerprint()
    assert prepare_run(tmp_path / "run", pushed) is True


@pytest.mark.parametrize("change", [{"temperature": 0.7}, {"max_tokens": 100}, {"backend": "openai:other"}])
def test_a_setting_that_changes_the_rows_is_another_run(tmp_path, change):
    role = {"backend": "openai:m", "base_url": "http://h/v1"}
    prepare_run(tmp_path / "run", BuildConfig(tasks=3, roles={"agent": role}))
    with pytest.raises(UserError, match="differs in: roles.agent"):
        prepare_run(tmp_path / "run", BuildConfig(tasks=3, roles={"agent": {**role, **change}}))
