"""The execution check: outputs must be grounded and must check something; a task must ask more
than to identify the user."""

from __future__ import annotations

import pytest

from builder.records import Action, Blueprint
from builder.textmatch import says_nothing
from steps.checks import execution_check
from tests.domains.framework.toy import build_toy

TOY = build_toy()
AUTH = Action(name="find_user_id_by_email", arguments={"email": "u1@example.com"})
DETAILS = Action(name="get_order_details", arguments={"order_id": "#O1_0"})


def codes(blueprint: Blueprint) -> list[str]:
    return [r.code for r in execution_check(TOY, blueprint).reasons]


def user_id() -> str:
    return execution_check(TOY, Blueprint(instruction="x", actions=[AUTH], outputs=["x"])).observations[0].strip('"')


@pytest.mark.parametrize("value,nothing", [
    ("0", True), ("1", True), ("1.00", True), ("-1", True), ("true", True), ("Yes", True), ("none", True),
    ("", True), ("2", False), ("0.5", False), ("10.0", False), ("pending", False), ("#O1_0", False),
])
def test_values_any_reply_states(value, nothing):
    assert says_nothing(value) is nothing


def test_an_output_that_checks_nothing_is_refused():
    bp = Blueprint(instruction="Ask for the total of order #O1_0.", actions=[AUTH, DETAILS], outputs=["10.0"])
    assert codes(bp) == []
    assert codes(bp.model_copy(update={"outputs": ["1"]})) == ["trivial_output"]
    assert codes(bp.model_copy(update={"outputs": ["12345.5"]})) == ["ungrounded_output"]


def test_a_task_that_only_identifies_the_user_is_refused():
    uid = user_id()
    only_auth = Blueprint(instruction="Hi! How can I help you today?", actions=[AUTH], outputs=[uid])
    assert codes(only_auth) == ["identity_only"]
    # the same identifier asked after a real lookup, or a fact of the user's records, is a task
    assert codes(only_auth.model_copy(update={"actions": [AUTH, DETAILS]})) == []
    assert "identity_only" not in codes(Blueprint(instruction="x", actions=[AUTH, DETAILS], outputs=["pending"]))
