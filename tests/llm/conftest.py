from __future__ import annotations

import pytest

from builder.llm.health import reset_health
from builder.llm.limits import reset_limiters
from builder.llm.usage import UsageLedger
from tests.llm.fakes import FakeResponder


@pytest.fixture(autouse=True)
def _fresh_limiters():
    """Limiters and endpoint health are process-wide by design; tests must not inherit each other's."""
    reset_limiters()
    reset_health()
    yield
    reset_limiters()
    reset_health()


@pytest.fixture
def ledger() -> UsageLedger:
    return UsageLedger()


@pytest.fixture
def responder() -> FakeResponder:
    return FakeResponder()
