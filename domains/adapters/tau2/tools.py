"""tau2's tools as our `ToolSpec`s, each call run by tau2's own code on our database.

A call is dispatched only to a registered tool, with arguments validated first against the
tool's parameters as tau2 declares them (strictly, as JSON: no "5" for 5, no unknown keys).
tau2 itself passes the model's arguments through unvalidated; we pass the validated call's own
arguments, unchanged, so that tau2's code sees exactly what it would see in tau2.

The call runs in a tau2 `Environment` built around the call's database objects (see
`session.py`), through `make_tool_call` and then `sync_tools`, as tau2's `get_response` does:
telecom's environment re-syncs the phone with the account after every call. Whatever tau2
raises is a refusal (`ToolError`, an error observation with tau2's own message); changes a tool
made before raising are kept, as they are in tau2. The result is what tau2 would send the agent:
its JSON, decoded into a dict or list when it is one (so the context sampler can read the
fields), else tau2's text.

One thing is not tau2's: telecom names a new bill `B` + `uuid4()`. During a call, the `uuid`
module of tau2's toolkit modules is replaced by one whose `uuid4` is seeded with the state and
the call, so that replaying a conversation or a blueprint gives the same state again (the
state comparison depends on it).
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from contextlib import contextmanager
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from domains.adapters.tau2.session import AdapterLimit, CallSession
from domains.adapters.tau2.tables import Layout
from domains.framework.database import Database
from domains.framework.tools import ArgumentError, ToolError, ToolKind, ToolSpec, _output_fields


class Tau2Tool(ToolSpec):
    """A tau2 tool: its name, description and parameters as tau2 declares them."""

    def __init__(self, toolbox: "Toolbox", tool: Any, kind: ToolKind, requestor: str,
                 discovers: dict[str, str] | None = None):
        self.name = tool.name
        self.kind = kind
        self.requestor = requestor  # assistant | user: which of tau2's toolkits holds it
        self.description = tool.short_desc + (f"\n\n{tool.long_desc}" if tool.long_desc else "")
        fields = {n: (f.annotation, f) for n, f in tool.params.model_fields.items()}
        self.args_model: type[BaseModel] = create_model(
            f"{self.name}_args", __config__=ConfigDict(extra="forbid", strict=True), **fields
        )
        self.params = list(fields)
        self.required = [n for n, f in tool.params.model_fields.items() if f.is_required()]
        self.returns = tool.returns.model_fields["returns"].annotation
        self.output_fields = _output_fields(self.returns)
        self.discovers = discovers or {}
        self.func = lambda db, **args: toolbox.call(db, self, args)

    def validate(self, arguments: Any) -> dict[str, Any]:
        if not isinstance(arguments, dict):
            raise ArgumentError(f"arguments of {self.name} must be a JSON object, got {type(arguments).__name__}")
        try:
            payload = json.dumps(arguments)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"arguments of {self.name} are not JSON: {exc}") from exc
        try:
            self.args_model.model_validate_json(payload)
        except ValidationError as exc:
            problems = [f"{'.'.join(str(p) for p in e['loc']) or '(arguments)'}: {e['msg']}" for e in exc.errors()]
            raise ArgumentError(f"invalid arguments for {self.name}: " + "; ".join(problems)) from exc
        return dict(arguments)


def decode(content: str) -> Any:
    """tau2's observation text as data: JSON objects and arrays decoded, anything else as text."""
    try:
        value = json.loads(content)
    except (json.JSONDecodeError, TypeError):
        return content
    return value if isinstance(value, (dict, list)) else content


class SeededUUID:
    """The `uuid` module, but `uuid4()` draws from a seeded generator."""

    def __init__(self, seed: str):
        self._rng = random.Random(seed)

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)

    def __getattr__(self, name: str) -> Any:
        return getattr(uuid, name)


class Toolbox:
    """The toolkits of one tau2 domain, run on our tables."""

    def __init__(self, environment: Any, layout: Layout, discovers: dict[str, dict[str, str]] | None = None,
                 copy_reads: bool = False):
        self.environment_class = type(environment)
        self.domain_name = environment.domain_name
        self.policy = environment.policy
        self.toolkit_classes = {"agent": type(environment.tools)}
        if environment.user_tools is not None:
            self.toolkit_classes["user"] = type(environment.user_tools)
        self.layout = layout
        modules = {sys.modules[c.__module__] for c in self.toolkit_classes.values()}
        self._uuid_users = [m for m in modules if getattr(m, "uuid", None) is uuid]
        self.copy_reads = copy_reads  # tests: copy records for reads too, to prove reads change nothing
        discovers = discovers or {}
        self.specs: list[Tau2Tool] = []
        kits = [(environment.tools, "assistant")]
        if environment.solo_mode and environment.user_tools is not None:
            kits.append((environment.user_tools, "user"))
        for kit, requestor in kits:
            for name, tool in sorted(kit.get_tools().items()):
                kind: ToolKind = "write" if kit.tool_type(name).value == "write" else "read"
                self.specs.append(Tau2Tool(self, tool, kind, requestor, discovers.get(name)))

    @contextmanager
    def _seeded_ids(self, db: Database, spec: Tau2Tool, arguments: dict[str, Any]) -> Iterator[None]:
        if not self._uuid_users:
            yield
            return
        seed = f"{db.fingerprint()}|{spec.name}|{json.dumps(arguments, sort_keys=True, default=str)}"
        for module in self._uuid_users:
            module.uuid = SeededUUID(seed)
        try:
            yield
        finally:
            for module in self._uuid_users:
                module.uuid = uuid

    def call(self, db: Database, spec: Tau2Tool, arguments: dict[str, Any]) -> Any:
        session = CallSession(db, self.layout, copy_records=self.copy_reads or spec.kind == "write")
        databases = session.databases()
        try:
            with self._seeded_ids(db, spec, arguments):
                env = self.environment_class(
                    domain_name=self.domain_name, policy=self.policy,
                    tools=self.toolkit_classes["agent"](databases["agent"]),
                    user_tools=self.toolkit_classes["user"](databases["user"]) if "user" in databases else None,
                )
                response = env.make_tool_call(spec.name, requestor=spec.requestor, **arguments)
                env.sync_tools()
                content = env.to_json_str(response)
        except AdapterLimit:
            raise
        except Exception as exc:  # tau2 turns any exception of a tool into "Error: ..." for the agent
            raise ToolError(str(exc)) from exc
        finally:
            session.commit()
        return decode(content)
