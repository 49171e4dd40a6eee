"""The `trajectories` config: the format of the public Salesforce/APIGen-MT-5k dataset.

`conversations` is a list of `{from, value}` turns with roles `human` (user), `gpt` (assistant
text), `function_call` and `observation`. Each tool call is its own `function_call` turn whose
value is the JSON of `{"name", "arguments"}`, and the tool's result follows it at once as an
`observation`. An assistant message with text and tool calls gives a `gpt` turn first, then
the call/observation pairs; one with tool calls only gives no `gpt` turn; one with neither
gives an empty `gpt` turn (so no assistant turn is lost). `tools` is the JSON string of
`[{name, description, parameters}]` and `system` the prompt the agent saw (the domain policy).

Metadata columns: `id` (`TASK-aN`, N the attempt), `domain`, `blueprint_id` (the task id,
which is the `id` of the `blueprints` config), `num_turns` (user turns, i.e. `human` turns),
`num_tool_calls`, `models` (role -> backend spec) and `simulated` (some role was the offline
simulator: the text was not written by a model).
"""

from __future__ import annotations

from typing import Any

from builder.export.conversation import Conversation, json_text

HUMAN, GPT, FUNCTION_CALL, OBSERVATION = "human", "gpt", "function_call", "observation"

COLUMNS = [
    "id", "conversations", "tools", "system", "domain", "blueprint_id",
    "num_turns", "num_tool_calls", "models", "simulated",
]


def features(models_feature: dict[str, Any]):
    from datasets import Features, List, Value

    return Features({
        "id": Value("string"),
        "conversations": List({"from": Value("string"), "value": Value("string")}),
        "tools": Value("string"),
        "system": Value("string"),
        "domain": Value("string"),
        "blueprint_id": Value("string"),
        "num_turns": Value("int32"),
        "num_tool_calls": Value("int32"),
        "models": models_feature,
        "simulated": Value("bool"),
    })


def function_call_value(name: str, arguments: dict[str, Any]) -> str:
    return json_text({"name": name, "arguments": arguments})


def conversations(conv: Conversation) -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    for ex in conv.exchanges:
        if ex.role == "user":
            turns.append({"from": HUMAN, "value": ex.content})
            continue
        if ex.content.strip() or not ex.calls:
            turns.append({"from": GPT, "value": ex.content})
        for cr in ex.calls:
            turns.append({"from": FUNCTION_CALL, "value": function_call_value(cr.call.name, cr.call.arguments)})
            turns.append({"from": OBSERVATION, "value": cr.result})
    return turns


def tools_text(schemas: list[dict[str, Any]]) -> str:
    """APIGen-MT's `tools`: the JSON string of `[{name, description, parameters}]`."""
    tools = []
    for s in schemas:
        fn = s.get("function", s)  # OpenAI function-tool dicts wrap the schema in "function"
        tools.append({"name": fn["name"], "description": fn.get("description", ""), "parameters": fn.get("parameters", {})})
    return json_text(tools)


def row(*, row_id: str, conv: Conversation, tools: str, domain: str, blueprint_id: str,
        models: dict[str, Any], simulated: bool) -> dict[str, Any]:
    return {
        "id": row_id,
        "conversations": conversations(conv),
        "tools": tools,
        "system": conv.system,
        "domain": domain,
        "blueprint_id": blueprint_id,
        "num_turns": conv.user_turns,
        "num_tool_calls": conv.tool_calls,
        "models": models,
        "simulated": simulated,
    }
