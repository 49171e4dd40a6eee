from builder.conversation_protocol import (
    STOP,
    TRANSFER,
    has_stop,
    has_transfer,
    is_malformed_call,
    is_transfer_tool,
    strip_markers,
)


def test_markers_are_found_and_stripped():
    assert strip_markers(f"Bye {STOP}") == "Bye" and strip_markers(None) == ""
    assert has_stop(f"Thanks. {STOP}") and not has_stop(TRANSFER) and not has_stop(None)
    assert has_transfer(TRANSFER) and not has_transfer(STOP)


def test_malformed_calls_and_transfer_tools_are_recognised():
    assert is_malformed_call({"_unparsed": '{"name": "x"'}) and not is_malformed_call({"order_id": "1"})
    assert not is_malformed_call(None)
    assert is_transfer_tool("transfer_to_human_agents") and not is_transfer_tool("cancel_order")
