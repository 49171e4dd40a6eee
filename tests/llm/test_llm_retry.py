from __future__ import annotations

import asyncio
import json
import random

from builder.llm.retry import RetryPolicy, classify_error, retry_after_seconds


class _Resp:
    def __init__(self, status: int, headers: dict | None = None):
        self.status_code = status
        self.headers = headers or {}


class StatusError(Exception):
    """Shaped like the SDKs' status errors (a `response` with status and headers)."""

    def __init__(self, status: int, headers: dict | None = None):
        super().__init__(f"HTTP {status}")
        self.response = _Resp(status, headers)
        self.status_code = status


def test_backoff_is_full_jitter_within_the_capped_window():
    policy = RetryPolicy(max_retries=5, base_s=0.5, max_s=4.0)
    rng = random.Random(1)
    for i, cap in enumerate([0.5, 1.0, 2.0, 4.0, 4.0, 4.0]):
        delays = [policy.delay(i, rng=rng) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8  # it spreads over the whole window


def test_retry_after_is_a_floor():
    policy = RetryPolicy(base_s=0.01, max_s=0.05)
    assert all(3.0 <= policy.delay(0, retry_after=3.0) <= 3.4 for _ in range(50))


def test_classification():
    assert classify_error(TimeoutError()) == "transient"
    assert classify_error(asyncio.TimeoutError()) == "transient"
    assert classify_error(ConnectionResetError()) == "transient"
    assert classify_error(json.JSONDecodeError("x", "{", 0)) == "transient"
    for code in (408, 429, 500, 502, 503, 529):
        assert classify_error(StatusError(code)) == "transient", code
    for code in (400, 401, 403, 404, 422):
        assert classify_error(StatusError(code)) == "permanent", code
    assert classify_error(ValueError("a bug")) is None
    assert classify_error(KeyError("a bug")) is None


def test_retry_after_header_forms():
    assert retry_after_seconds(StatusError(429, {"retry-after": "2"})) == 2.0
    assert retry_after_seconds(StatusError(429, {"retry-after-ms": "250"})) == 0.25
    assert retry_after_seconds(StatusError(429, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after_seconds(StatusError(429)) is None
    assert retry_after_seconds(TimeoutError()) is None


def test_call_failed_keeps_its_context_through_pickle():
    import pickle

    from builder.llm.errors import LLMCallFailed

    err = LLMCallFailed(role="agent", row_id="r1", endpoint="http://h/v1#m", attempts=6,
                        last_error=TimeoutError("slow"), transient=True)
    back = pickle.loads(pickle.dumps(err))
    assert (back.role, back.row_id, back.endpoint, back.attempts, back.transient) == ("agent", "r1", "http://h/v1#m", 6, True)
    assert "retries exhausted" in str(back) and "TimeoutError" in str(back)


def test_a_reply_without_choices_is_a_transient_malformed_reply():
    import pytest

    from builder.llm.convert import reply_from_openai
    from builder.llm.errors import MalformedReplyError

    with pytest.raises(MalformedReplyError) as e:
        reply_from_openai({"choices": [], "error": "filtered"})
    assert classify_error(e.value) == "transient"
