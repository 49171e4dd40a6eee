import pytest

from domains.framework import Database, ToolError, tool
from tests.domains.framework.toy import build_toy


def test_schema_comes_from_signature_and_docstring():
    schema = build_toy().tools["cancel_order"].openai_schema()["function"]
    assert schema["description"] == "Cancel a pending order."
    params = schema["parameters"]
    assert params["required"] == ["order_id", "reason"]
    assert params["properties"]["reason"]["enum"] == ["no longer needed", "ordered by mistake"]
    assert params["properties"]["order_id"]["description"] == "The order id."
    assert params["additionalProperties"] is False


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"order_id": 5, "reason": "no longer needed"}, "order_id: Input should be a valid string"),
        ({"order_id": "#O0_0"}, "reason: Field required"),
        ({"order_id": "#O0_0", "reason": "bored"}, "reason: Input should be"),
        ({"order_id": "#O0_0", "reason": "no longer needed", "extra": 1}, "extra: Extra inputs are not permitted"),
        ("not a dict", "must be a JSON object"),
    ],
)
def test_bad_arguments_become_error_observations(args, expected):
    obs = build_toy().new_environment().execute("cancel_order", args)
    assert not obs.ok and obs.error_code == "invalid_arguments"
    assert expected in obs.content


def test_unknown_tool_and_refusal_and_bug_are_observations():
    env = build_toy().new_environment()
    unknown = env.execute("drop_database", {})
    assert unknown.error_code == "unknown_tool" and "cancel_order" in unknown.content
    refused = env.execute("cancel_order", {"order_id": "#O0_1", "reason": "no longer needed"})
    assert refused.error_code == "refused" and "only pending" in refused.content
    assert env.db.view("orders", "#O0_1").status == "delivered"


def test_a_crashing_tool_is_an_internal_error_observation():
    @tool("read")
    def broken(db: Database, x: int) -> int:
        """Always fails.

        Args:
            x: anything.
        """
        return 1 // 0

    d = build_toy()
    d.tools["broken"] = broken
    obs = d.new_environment().execute("broken", {"x": 1})
    assert obs.error_code == "internal_error" and "ZeroDivisionError" in obs.content


def test_tool_definitions_are_checked():
    with pytest.raises(TypeError, match="docstring"):
        @tool("read")
        def nodoc(db: Database, x: int) -> int:
            return x

    with pytest.raises(TypeError, match="not described"):
        @tool("read")
        def undocumented_arg(db: Database, x: int) -> int:
            """Does things."""
            return x

    with pytest.raises(ValueError):
        tool("delete")


def test_tool_error_is_a_refusal_type():
    assert issubclass(ToolError, Exception)
