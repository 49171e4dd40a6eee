"""A domain's policy: the text the agent reads, and the rules checked over whole conversations.

Preconditions of single actions (only pending orders can be cancelled...) live in the write
tools themselves, which refuse. What a single call cannot see — was the user authenticated
before their data was touched, did they confirm exactly this write — is checked here, over the
sequence of events of a conversation (or of a blueprint's gold actions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from domains.framework.database import Database
from domains.framework.environment import Observation


def owner_by_reference(db: Database, args: dict[str, Any], *, user_table: str, record_table: str,
                       record_key: str) -> str | None:
    """The user a call is about: its `user_id` argument when that user exists, else the owner
    (`user_id` field) of the record its `record_key` argument names; None when neither resolves.

    The common shape of a domain's `owner_of` (retail orders, airline reservations): the
    authentication rule asks it whose data each call touches.
    """
    user_id = args.get("user_id")
    if isinstance(user_id, str) and db.exists(user_table, user_id):
        return user_id
    key = args.get(record_key)
    record = db.view(record_table, key) if isinstance(key, str) else None
    return None if record is None else record.user_id


class Event(BaseModel):
    """One step of a conversation as rules see it."""

    kind: Literal["user", "agent", "tool"]
    text: str | None = None
    observation: Observation | None = None


class RuleViolation(BaseModel):
    rule: str
    message: str
    event_index: int | None = None


class ConversationRule(Protocol):
    name: str
    description: str
    # "actions": checked on a blueprint's gold actions too; "conversation": needs the dialogue
    scope: str

    def check(self, events: Sequence[Event], db: Database) -> list[RuleViolation]: ...


#: keys under which an identification tool's result names the person (`customer_id`: tau2 telecom)
PERSON_ID_KEYS = ("user_id", "customer_id")


def user_id_from_result(result: Any) -> str | None:
    """The id an authentication call found: its text, or the id of the one record it returned."""
    if isinstance(result, str):
        return result
    if isinstance(result, list) and len(result) == 1:
        result = result[0]
    if isinstance(result, dict):
        return next((result[k] for k in PERSON_ID_KEYS if isinstance(result.get(k), str)), None)
    return None


class AuthenticatedBeforeAccess:
    """The user is authenticated before their data is read or changed, and only their data."""

    name = "authenticated_before_access"
    scope = "actions"
    description = (
        "The agent authenticates the user before reading or changing any of their records, "
        "and touches no other user's records in the conversation."
    )

    def __init__(self, auth_tools: set[str], owner_of: Callable[[Database, str, dict[str, Any]], str | None]):
        self.auth_tools = auth_tools
        self.owner_of = owner_of

    def check(self, events: Sequence[Event], db: Database) -> list[RuleViolation]:
        violations: list[RuleViolation] = []
        authenticated: str | None = None
        for i, ev in enumerate(events):
            obs = ev.observation
            if ev.kind != "tool" or obs is None:
                continue
            if obs.name in self.auth_tools:
                if obs.ok:
                    uid = user_id_from_result(obs.result)
                    if authenticated and uid and uid != authenticated:
                        violations.append(RuleViolation(
                            rule=self.name, event_index=i,
                            message=f"{obs.name} identified a second user {uid!r} after {authenticated!r}",
                        ))
                    authenticated = authenticated or uid
                continue
            try:
                owner = self.owner_of(db, obs.name, obs.arguments)
            except Exception:  # arguments a model invented: nobody's data, nothing to protect
                owner = None
            if owner is None:
                continue
            if authenticated is None:
                violations.append(RuleViolation(
                    rule=self.name, event_index=i,
                    message=f"{obs.name} touched user {owner!r}'s data before the user was authenticated",
                ))
            elif owner != authenticated:
                violations.append(RuleViolation(
                    rule=self.name, event_index=i,
                    message=f"{obs.name} touched user {owner!r}'s data while authenticated as {authenticated!r}",
                ))
        return violations


AFFIRMATIVE = re.compile(
    r"\b(yes|yeah|yep|yup|confirm(ed)?|go ahead|proceed|please do|do it|sure|ok(ay)?|correct|that'?s right|sounds good)\b",
    re.IGNORECASE,
)
NEGATIVE = re.compile(r"^\W*(no|nope|don'?t|do not|wait|stop)\b", re.IGNORECASE)


def is_affirmative(text: str | None) -> bool:
    return bool(text) and not NEGATIVE.search(text) and bool(AFFIRMATIVE.search(text))


def default_confirm_fields(arguments: dict[str, Any]) -> list[str]:
    return [k for k in arguments if k.endswith("_id") or k.endswith("_ids")]


class ConfirmedBeforeWrite:
    """Every write follows the user's explicit yes to the agent's description of exactly it.

    "Exactly it" is checked by the identifying arguments of the write (by default those ending
    in `_id`/`_ids`) appearing in the agent's last message before the user's yes. A write the tool
    refused changed nothing: it needs no confirmation and does not use one up.
    """

    name = "confirmed_before_write"
    scope = "conversation"
    description = (
        "Before every write the agent describes the action (with its identifiers) and the "
        "user explicitly confirms it; one confirmation covers one write."
    )

    def __init__(
        self,
        write_tools: set[str],
        confirm_fields: Callable[[str, dict[str, Any]], list[str]] | None = None,
    ):
        self.write_tools = write_tools
        self.confirm_fields = confirm_fields or (lambda _name, args: default_confirm_fields(args))

    def check(self, events: Sequence[Event], db: Database) -> list[RuleViolation]:
        violations = []
        window_start = 0  # a confirmation is used up by the write it precedes
        for i, ev in enumerate(events):
            obs = ev.observation
            if ev.kind != "tool" or obs is None or obs.name not in self.write_tools or not obs.ok:
                continue
            users = [j for j in range(window_start, i) if events[j].kind == "user"]
            if not users or not is_affirmative(events[users[-1]].text):
                violations.append(RuleViolation(
                    rule=self.name, event_index=i,
                    message=f"{obs.name} was called without the user's explicit confirmation just before it",
                ))
            else:
                u = users[-1]
                agents = [j for j in range(window_start, u) if events[j].kind == "agent" and events[j].text]
                said = (events[agents[-1]].text or "").lower() if agents else ""
                missing = []
                for field in self.confirm_fields(obs.name, obs.arguments):
                    value = obs.arguments.get(field)
                    values = value if isinstance(value, list) else [value]
                    missing += [str(v) for v in values if v is not None and str(v).lower() not in said]
                if missing:
                    violations.append(RuleViolation(
                        rule=self.name, event_index=i,
                        message=f"{obs.name}: the agent did not state {', '.join(missing)} before the user confirmed",
                    ))
            window_start = i + 1
        return violations


class Policy(BaseModel):
    """What the agent is told (markdown) and what is checked (preconditions and rules)."""

    model_config = {"arbitrary_types_allowed": True}

    text: str
    preconditions: list[str] = []  # enforced by write tools; listed for `domains show`
    rules: list[Any] = []  # ConversationRule objects

    def check(self, events: Sequence[Event], db: Database, actions_only: bool = False) -> list[RuleViolation]:
        """Violations of every rule; with `actions_only`, only rules that hold over tool calls alone."""
        out: list[RuleViolation] = []
        for rule in self.rules:
            if actions_only and rule.scope != "actions":
                continue
            out += rule.check(events, db)
        return out
