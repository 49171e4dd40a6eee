"""Records that cross stage boundaries: what a blueprint accepts from a model's JSON."""

import pytest
from pydantic import ValidationError

from builder.records import Blueprint

ACTIONS = [{"name": "calculate", "arguments": {"expression": "1 + 2"}}]


def test_numeric_outputs_are_read_as_the_text_the_agent_says():
    bp = Blueprint.model_validate({"instruction": "x", "actions": ACTIONS, "outputs": [85.4, 3, "1,000"]})
    assert bp.outputs == ["85.4", "3", "1,000"]


@pytest.mark.parametrize("bad", [{"user_id": "u1"}, ["a"], True])
def test_other_non_string_outputs_are_refused(bad):
    with pytest.raises(ValidationError, match="outputs.0"):
        Blueprint.model_validate({"instruction": "x", "actions": ACTIONS, "outputs": [bad]})
