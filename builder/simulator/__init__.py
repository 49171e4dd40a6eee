"""The offline simulator: a deterministic, seeded stand-in for every LLM role.

A test double at the edge of the house: it imports production code (the LLM layer, the prompts'
context tag, the conversation protocol) and production imports it only by name, through the
backend registry (`builder.llm.registry`) and the `builder simulator serve` command.

- `builder.simulator.brain.respond(messages, tools, *, seed, row_id, rates) -> ChatReply` decides
  what the simulated model says;
- the `simulator` LLM backend (`builder.simulator.backend`) calls it in-process, with the mistake
  rates of its role's `backend_options`;
- `builder.simulator.server` serves it over an OpenAI-compatible HTTP API with latency and
  injected faults (`SimulatorServer` for tests, `builder simulator serve` for people).

Names are imported lazily so that importing the package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SimulatorServer": "builder.simulator.server",
    "FaultConfig": "builder.simulator.server",
    "create_app": "builder.simulator.server",
    "FAULT_KINDS": "builder.simulator.server",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'builder.simulator' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
