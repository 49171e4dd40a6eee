"""Errors raised by the LLM layer, each carrying the context a caller needs to act on it.

`LLMConfigError` is a `UserError` (exit code 2): the user fixes the config or the environment.
`LLMCallFailed` is a per-row failure: the caller records it as that row's failure and carries on
with the other rows. `JSONOutputError` is a model that would not produce valid JSON even after a
repair round; it too is a per-row failure.
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
