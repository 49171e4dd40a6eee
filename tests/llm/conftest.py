from __future__ import annotations

import pytest

from builder.llm.limits import reset_limiters
from builder.llm.usage import UsageLedger
from tests.llm.fakes import FakeResponder


@pytest.fixture(autouse=True)
def _fresh_limiters():
    """Limiters are process-wide by design; tests must not inherit each other's."""
    reset_limiters()
    yield
    reset_limiters()


@pytest.fixture
def ledger() -> UsageLedger:
    return UsageLedger()


@pytest.fixture
def responder() -> FakeResponder:
    return FakeResponder()
