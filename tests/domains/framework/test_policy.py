from domains.framework.environment import Observation
from domains.framework.policy import Event, is_affirmative
from tests.domains.framework.toy import build_toy


def tool(name, args, ok=True, result=None):
    return Event(kind="tool", observation=Observation(name=name, arguments=args, ok=ok, content="", result=result))


AUTH = tool("find_user_id_by_email", {"email": "u0@example.com"}, result="user_0")
CANCEL = tool("cancel_order", {"order_id": "#O0_0", "reason": "no longer needed"})


def violations(events):
    d = build_toy()
    return {v.rule for v in d.policy.check(events, d.new_environment().db)}


def test_a_correct_conversation_passes():
    events = [
        Event(kind="user", text="cancel my order"),
        AUTH,
        Event(kind="agent", text="I will cancel order #O0_0 (no longer needed). Confirm?"),
        Event(kind="user", text="Yes, please."),
        CANCEL,
    ]
    assert violations(events) == set()


def test_access_before_authentication_is_caught():
    events = [tool("get_order_details", {"order_id": "#O0_0"}), AUTH]
    assert "authenticated_before_access" in violations(events)


def test_other_users_data_is_caught():
    events = [AUTH, tool("get_order_details", {"order_id": "#O5_0"})]
    assert "authenticated_before_access" in violations(events)


def test_write_without_confirmation_is_caught():
    assert "confirmed_before_write" in violations([AUTH, CANCEL])
    no = [AUTH, Event(kind="agent", text="Cancel #O0_0?"), Event(kind="user", text="No, wait."), CANCEL]
    assert "confirmed_before_write" in violations(no)


def test_confirmation_must_name_the_action():
    events = [AUTH, Event(kind="agent", text="Shall I go ahead?"), Event(kind="user", text="yes"), CANCEL]
    assert "confirmed_before_write" in violations(events)


def test_one_confirmation_covers_one_write():
    events = [
        AUTH, Event(kind="agent", text="Cancel #O0_0?"), Event(kind="user", text="yes"), CANCEL, CANCEL,
    ]
    assert "confirmed_before_write" in violations(events)


def test_a_write_the_tool_refused_needs_no_confirmation_and_uses_none_up():
    refused = tool("cancel_order", {"order_id": "#O0_1", "reason": "no longer needed"}, ok=False)
    assert violations([AUTH, refused]) == set()  # it changed nothing
    retry = [AUTH, Event(kind="agent", text="Cancel #O0_0?"), Event(kind="user", text="yes"),
             tool("cancel_order", {"order_id": "#O0_0", "reason": "typo"}, ok=False), CANCEL]
    assert violations(retry) == set()  # the corrected call is the one write the yes covers


def test_actions_only_check_skips_conversation_rules():
    d = build_toy()
    found = d.policy.check([AUTH, CANCEL], d.new_environment().db, actions_only=True)
    assert found == []


def test_affirmative():
    assert is_affirmative("Yes, go ahead")
    assert not is_affirmative("No, don't do it")
    assert not is_affirmative("what?")
