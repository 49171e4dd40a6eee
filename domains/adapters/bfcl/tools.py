"""BFCL's API methods as our tools, with the schemas BFCL shows models.

Each tool's description and parameter schema come from BFCL's function doc
(`bfcl_eval/data/multi_turn_func_doc/*.json`, the text BFCL evaluates models with), converted
to standard JSON Schema (`dict` -> `object`, `float` -> `number`). Which parameters are
required and their defaults come from the Python method, which is what actually runs; the
arguments are validated strictly against that before the method is called.

Dispatch never looks a name up on an instance: every tool holds the class's function object,
resolved once when the domain is built from the names in BFCL's docs, and the environment
only dispatches names registered in the domain.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from domains.adapters.bfcl.catalog import ApiClass
from domains.framework.database import Database
from domains.framework.tools import ToolSpec, tool

if TYPE_CHECKING:
    from domains.adapters.bfcl.database import WorldDatabase

_SCALARS: dict[str, Any] = {
    "string": str, "integer": int, "float": float, "number": float, "boolean": bool,
    "dict": dict[str, Any], "object": dict[str, Any],
}
_JSON_TYPES = {"dict": "object", "float": "number"}


def load_docs(api: ApiClass) -> list[dict[str, Any]]:
    """BFCL's function docs of one class, one JSON object per line."""
    path = resources.files("bfcl_eval") / "data" / "multi_turn_func_doc" / api.doc_file
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _annotation(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        return list[_annotation(items)] if items else list[Any]
    return _SCALARS.get(kind, Any)


def to_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """BFCL's schema dialect as standard JSON Schema; BFCL's `"None"` defaults are dropped."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type":
            out["type"] = _JSON_TYPES.get(value, value)
        elif key == "properties":
            out["properties"] = {k: to_json_schema(v) for k, v in value.items()}
        elif key == "items":
            out["items"] = to_json_schema(value)
        elif key == "default" and value == "None":
            continue
        else:
            out[key] = value
    return out


def _field_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            names.add(name)
            names |= _field_names(sub)
        if "items" in schema:
            names |= _field_names(schema["items"])
    return names


class BfclTool(ToolSpec):
    """One public method of a BFCL class as a domain tool (see the module docstring)."""

    def __init__(self, api: ApiClass, doc: dict[str, Any], method: Callable[..., Any]):
        # ToolSpec.__init__ reads a Python signature and docstring; here the schema is BFCL's doc
        self.api = api
        self.method = method
        self.name = doc["name"]
        self.kind = "write" if self.name in api.writes else "read"
        self.description = doc["description"]
        self.discovers = dict(api.discovers.get(self.name, {}))
        self.returns = Any
        if self.name in api.noisy_reads:
            self.output_fields: set[str] = set()
        else:
            self.output_fields = set(api.result_fields.get(self.name, _field_names(doc.get("response"))))

        props: dict[str, Any] = (doc.get("parameters") or {}).get("properties") or {}
        signature = inspect.signature(method)
        params = [p for p in signature.parameters.values() if p.name != "self"]
        missing = [p.name for p in params if p.name not in props]
        if missing:
            raise TypeError(f"{api.class_name}.{self.name}: parameters {missing} are not in BFCL's function doc")
        fields: dict[str, Any] = {}
        schema_props: dict[str, Any] = {}
        for p in params:
            annotation = _annotation(props[p.name])
            description = props[p.name].get("description")
            prop = to_json_schema(props[p.name])
            if p.default is inspect.Parameter.empty:
                fields[p.name] = (annotation, Field(..., description=description))
            else:
                default = p.default
                if default is None:
                    annotation = annotation | None
                    prop.pop("default", None)
                else:
                    prop["default"] = default
                # a fresh copy per call: BFCL stores list defaults in its state (post_tweet's tags)
                fields[p.name] = (annotation, Field(default_factory=lambda d=default: copy.deepcopy(d),
                                                    description=description))
            schema_props[p.name] = prop
        self.args_model: type[BaseModel] = create_model(
            f"{self.name}_args", __config__=ConfigDict(extra="forbid", strict=True), **fields
        )
        self.params = [p.name for p in params]
        self.required = [p.name for p in params if p.default is inspect.Parameter.empty]
        self._schema = {"type": "object", "properties": schema_props, "required": list(self.required)}
        self.func = self._call

    def _call(self, db: "WorldDatabase", **arguments: Any) -> Any:
        return db.invoke(self, arguments)

    @property
    def parameters_schema(self) -> dict[str, Any]:
        return copy.deepcopy(self._schema)


def class_tools(api: ApiClass, cls: type) -> list[BfclTool]:
    """The tools of one class: every function of its doc, which must be a public method."""
    out = []
    for doc in load_docs(api):
        method = inspect.getattr_static(cls, doc["name"], None)
        if doc["name"].startswith("_") or not inspect.isfunction(method):
            raise TypeError(f"BFCL's doc for {api.class_name} names {doc['name']!r}, which is no public method")
        out.append(BfclTool(api, doc, method))
    unknown = api.writes - {t.name for t in out}
    if unknown:
        raise TypeError(f"{api.class_name}: write methods {sorted(unknown)} are not in BFCL's function doc")
    return out


class Identified(BaseModel):
    user_id: str
    name: str
    username: str


@tool("read")
def find_user(db: Database, user_id: str) -> Identified:
    """Identify the person this conversation serves by their user id. Call it first: every other
    tool acts on this person's own systems (files, car, accounts). One person per conversation.

    Args:
        user_id: The person's user id, as they give it (e.g. "maya_okafor_4821").
    """
    return Identified.model_validate(db.bind(user_id))  # type: ignore[attr-defined]
