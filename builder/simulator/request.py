"""The chat completion request the simulator server accepts, checked as an OpenAI-compatible server
checks it.

A malformed request is the client's mistake: it gets a 400 whose OpenAI-style error body names the
field (`{"error": {"message", "type": "invalid_request_error", "param"}}`), never a 500, which a
client would take for the server's failure and retry. Fields the simulator does not use (`user`,
`logprobs`, a server's own extras such as vLLM's `chat_template_kwargs`) are accepted and
ignored, as such servers do; the ones it reads must have the right type and range.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, model_validator

__all__ = ["ChatRequest", "InvalidRequest", "parse_chat_request", "read_chat_request", "MAX_DEPTH"]

#: Deepest nesting of arrays and objects accepted; real requests (tool schemas) stay under ten.
MAX_DEPTH = 64


class InvalidRequest(ValueError):
    """A request the server refuses (400); `param` is the offending field, as OpenAI names it."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def _content(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise ValueError("must be a string, a list of content parts, or null")
    for i, part in enumerate(value):
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise ValueError(f"part {i} must be an object with a 'type'")
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            raise ValueError(f"part {i} is a text part without a 'text' string")
    return value


Content = Annotated[Any, AfterValidator(_content)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class FunctionCall(_Wire):
    name: str
    arguments: str  # JSON text, as the model wrote it; a malformed one is the model's, not the request's


class ToolCall(_Wire):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class ChatMessage(_Wire):
    role: Literal["system", "user", "assistant", "tool"]
    content: Content = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    @model_validator(mode="after")
    def _fits_its_role(self) -> "ChatMessage":
        if self.role == "tool" and self.tool_call_id is None:
            raise ValueError("a tool message needs the tool_call_id it answers")
        if self.role in ("system", "user") and self.content is None:
            raise ValueError(f"a {self.role} message needs content")
        if self.tool_calls and self.role != "assistant":
            raise ValueError("only assistant messages carry tool_calls")
        return self


class Parameters(_Wire):
    """A function's JSON Schema: the parts a responder reads must have their JSON Schema shapes."""

    type: str | None = None
    properties: dict[str, dict[str, Any]] | None = None
    required: list[str] | None = None


class FunctionSpec(_Wire):
    name: str = Field(min_length=1)
    description: str | None = None
    parameters: Parameters | None = None


class ToolSpec(_Wire):
    type: Literal["function"]
    function: FunctionSpec


class ChatRequest(_Wire):
    model: str | None = None
    messages: list[ChatMessage] = Field(min_length=1)
    tools: list[ToolSpec] | None = None
    seed: StrictInt | None = None
    max_tokens: StrictInt | None = Field(default=None, ge=1)
    max_completion_tokens: StrictInt | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    n: StrictInt | None = Field(default=None, ge=1, le=1, description="the simulator writes one choice")
    stream: StrictBool | None = None
    response_format: dict[str, Any] | None = None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _check_tree(body: Any, *, strings: bool = True) -> None:
    """Refuse nesting past MAX_DEPTH and strings that are not Unicode (a lone surrogate such as
    `"\\ud800"` parses, then fails whatever encodes it), walking without recursion: the point is to
    refuse what would overflow it. A body orjson parsed has Unicode strings already (orjson
    refuses lone surrogates): `strings=False` then walks only the containers."""
    stack = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            try:
                node.encode()
            except UnicodeEncodeError:
                raise InvalidRequest(f"the body holds a string that is not valid Unicode: {node[:40]!r}") from None
        elif isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                raise InvalidRequest(f"the body is nested deeper than {MAX_DEPTH} levels")
            if strings:
                children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            else:
                children = [c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, (dict, list))]
            stack.extend((child, depth + 1) for child in children)


def _load(raw: bytes) -> Any:
    """The parsed body, checked for depth and Unicode. orjson parses every well-formed body, at a
    fraction of the standard library's cost; whatever it refuses is parsed again by the standard
    library, whose refusals say exactly what is wrong (NaN, a lone surrogate, the depth)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    else:
        _check_tree(body, strings=False)
        return body
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise InvalidRequest(f"the body is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # not JSON, not UTF-8, or NaN/Infinity
        raise InvalidRequest(f"the body is not valid JSON: {exc}") from None
    _check_tree(body)
    return body


def _param(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_chat_request(raw: bytes) -> ChatRequest:
    """The request in `raw`, or `InvalidRequest` saying what is wrong and where."""
    return read_chat_request(raw)[0]


def read_chat_request(raw: bytes) -> tuple[ChatRequest, dict[str, Any]]:
    """The checked request and the JSON object it was read from, whose `messages` and `tools`
    are then known to be well formed: the server reads those as they came, instead of dumping
    the models back to dicts."""
    body = _load(raw)
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    try:
        request = ChatRequest.model_validate(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        lines = [f"{_param(e['loc']) or 'body'}: {e['msg'].removeprefix('Value error, ')}" for e in errors]
        raise InvalidRequest("; ".join(lines), _param(errors[0]["loc"]) or None) from None
    if request.stream:
        raise InvalidRequest("the simulator does not stream; send stream=false", "stream")
    return request, body
