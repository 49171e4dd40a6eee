"""Fixtures shared by the top-level build tests."""

import pytest

from tests.build_runs import FaultyBuild, faulty_build


@pytest.fixture(scope="session")
def faulty_run(tmp_path_factory) -> FaultyBuild:
    """One build against a faulty endpoint with planted secrets (tests/test_faults.py, test_secrets.py)."""
    return faulty_build(tmp_path_factory.mktemp("faulty"))
