"""The `messages` config: OpenAI chat format, ready for `tokenizer.apply_chat_template` and TRL.

Columns: `id`, `messages`, `tools`, `domain`, and the same provenance as `trajectories`:
`models` (role -> backend spec) and `simulated` (some role was the offline simulator: the text
was not written by a model), so a training set filtered or mixed from this config alone still
says what made each row.

`messages` holds a system message (the prompt the agent saw), user messages, assistant
messages (`content` always a string, `""` when the model only called tools) with
`tool_calls: [{id, type: "function", function: {name, arguments}}]`, and one `tool` message per
call, right after its assistant message and in call order, with `tool_call_id`, `name` (the
tool) and `content` (the result text). `tools` is the list of OpenAI function-tool schemas
`{type: "function", function: {name, description, parameters}}`.

Storage decisions:
- `function.arguments` is a dict, not the JSON string of the OpenAI wire format. HF chat
  templates render it themselves, mostly as `tool_call.arguments | tojson` (Qwen2.5, Hermes,
  Llama 3.1, Mistral): a string there would be encoded twice and the model would learn to emit
  `"{\\"order_id\\": ...}"`. transformers' docs and TRL use dicts. To send a row to an OpenAI
  endpoint, `json.dumps` the arguments.
- Each message is a `datasets.Json` value (`List(Json())`), not an Arrow struct: a struct would
  give every message every key, null-filled (`tool_calls: None` on user messages), and
  templates that test for keys (`'tool_calls' in message`, Llama 3.1) then break. Messages
  come back exactly as written here, and so do tool arguments and tool schemas, whose keys
  differ from row to row.
"""

from __future__ import annotations

from typing import Any

from builder.export.conversation import Conversation, json_text

COLUMNS = ["id", "messages", "tools", "domain", "models", "simulated"]


def features(models_feature: dict[str, Any]):
    from datasets import Features, Json, List, Value

    return Features({
        "id": Value("string"),
        "messages": List(Json()),
        "tools": List(Json()),
        "domain": Value("string"),
        "models": models_feature,
        "simulated": Value("bool"),
    })


def openai_messages(conv: Conversation) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": conv.system}]
    for ex in conv.exchanges:
        if ex.role == "user":
            out.append({"role": "user", "content": ex.content})
            continue
        msg: dict[str, Any] = {"role": "assistant", "content": ex.content}
        if ex.calls:
            msg["tool_calls"] = [
                {"id": cr.call.id, "type": "function", "function": {"name": cr.call.name, "arguments": cr.call.arguments}}
                for cr in ex.calls
            ]
        out.append(msg)
        for cr in ex.calls:
            out.append({"role": "tool", "tool_call_id": cr.call.id, "name": cr.call.name, "content": cr.result})
    return out


def row(*, row_id: str, conv: Conversation, tools: list[dict[str, Any]], domain: str,
        models: dict[str, Any], simulated: bool) -> dict[str, Any]:
    """A row with its Json values already as JSON text (see `dataset.SplitFiles`)."""
    return {
        "id": row_id,
        "messages": [json_text(m) for m in openai_messages(conv)],
        "tools": [json_text(t) for t in tools],
        "domain": domain,
        "models": models,
        "simulated": simulated,
    }
