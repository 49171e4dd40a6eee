"""Errors raised by the LLM layer, each carrying the context a caller needs to act on it.

`LLMConfigError` is a `UserError` (exit code 2): the user fixes the config or the environment.
`LLMCallFailed` is a per-row failure: the caller records it as that row's failure and carries on
with the other rows. `JSONOutputError` is a model that would not produce valid JSON even after a
repair round; it too is a per-row failure. `EndpointDown` is no row's failure: the endpoint
stopped answering, and the build stops so that a resumed build redoes what it could not serve.
"""

from __future__ import annotations

from builder.errors import UserError
from builder.redact import redact_text


class LLMConfigError(UserError):
    """A role's LLM config or environment is unusable; the message names the field and the fix."""


class MalformedReplyError(Exception):
    """The endpoint answered 2xx with a body that is not a usable chat completion (no choices,
    cut short). Treated like a transient endpoint failure: retried, then `LLMCallFailed`."""


class PromptTooLongError(Exception):
    """The prompt does not fit the model's context window. Retrying cannot fix it (the same prompt
    comes back), so the call fails at once and the row records why; an in-process backend raises
    this where a server would answer 400."""


class LLMCallFailed(Exception):
    """A chat call failed for good: retries exhausted, or an error that retrying cannot fix.

    The original exception is chained as `__cause__` (and kept in `last_error`) so the reason is
    never lost.
    """

    def __init__(
        self,
        *,
        role: str,
        row_id: str,
        endpoint: str,
        attempts: int,
        last_error: BaseException,
        transient: bool,
    ) -> None:
        self.role = role
        self.row_id = row_id
        self.endpoint = endpoint
        self.attempts = attempts
        self.last_error = last_error
        self.transient = transient
        why = "retries exhausted" if transient else "not retryable"
        super().__init__(
            f"LLM call failed for role {role!r}, row {row_id!r} at {endpoint} after "
            f"{attempts} attempt(s) ({why}): {type(last_error).__name__}: {redact_text(str(last_error))}"
        )

    def __reduce__(self):  # keep it picklable across distilabel's worker processes
        return (_rebuild_call_failed, (self.role, self.row_id, self.endpoint, self.attempts,
                                       self.last_error, self.transient))


def _rebuild_call_failed(role, row_id, endpoint, attempts, last_error, transient):
    return LLMCallFailed(role=role, row_id=row_id, endpoint=endpoint, attempts=attempts,
                         last_error=last_error, transient=transient)


class EndpointDown(Exception):
    """An endpoint stopped answering: a call could not reach it (connection refused, DNS failing,
    no connection in time, or gateway errors) on every attempt through its retries and the
    outage wait, and no other call to it was answered meanwhile.

    Stage code must let it propagate (it is not an `LLMCallFailed`): recording it as the row's
    fate would turn a transient outage into a lost row. `error` is the last attempt's innermost
    error (`ConnectionRefusedError: ...` rather than the SDK's wrapper around it).
    """

    def __init__(self, *, endpoint: str, role: str, down_s: float, error: str) -> None:
        self.endpoint = endpoint
        self.role = role
        self.down_s = down_s
        self.error = error
        super().__init__(f"endpoint {endpoint} (role {role!r}) {self.symptom}")

    @property
    def symptom(self) -> str:
        """What was seen, e.g. `cannot be reached for 12 s (ConnectionRefusedError: [Errno 111] ...)`."""
        waited = f" for {self.down_s:.0f} s" if self.down_s >= 1 else ""
        return f"cannot be reached{waited} ({self.error.rstrip('.')})"

    def __reduce__(self):
        return (_rebuild_endpoint_down, (self.endpoint, self.role, self.down_s, self.error))


def _rebuild_endpoint_down(endpoint, role, down_s, error):
    return EndpointDown(endpoint=endpoint, role=role, down_s=down_s, error=error)


class JSONOutputError(Exception):
    """The model's reply held no JSON that validates against the expected model, even after one
    repair attempt. `raw` is the last reply text, `error` the last parse/validation error."""

    def __init__(self, *, role: str, row_id: str, raw: str, error: str, first_raw: str | None = None) -> None:
        self.role = role
        self.row_id = row_id
        self.raw = raw
        self.error = error
        self.first_raw = first_raw
        preview = raw if len(raw) <= 200 else raw[:200] + "..."
        super().__init__(
            f"role {role!r}, row {row_id!r}: reply is not valid JSON for the expected schema "
            f"after a repair attempt: {error}; reply was: {preview!r}"
        )

    def __reduce__(self):
        return (_rebuild_json_error, (self.role, self.row_id, self.raw, self.error, self.first_raw))


def _rebuild_json_error(role, row_id, raw, error, first_raw):
    return JSONOutputError(role=role, row_id=row_id, raw=raw, error=error, first_raw=first_raw)
