"""Every LLM backend, declared once: its name, what it is, the optional package it needs, how it
is reached (over HTTP or in process, its public endpoint and key variable), and the function that
imports its class when a role first uses it.

A backend is registered by decorating that function (as inspect_ai registers its model
providers, its test double among them): nothing here imports a backend module, an SDK or the
offline simulator until `chat_class` is called, so the base install stays small and production
code does not depend on the simulator.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from builder.llm.errors import LLMConfigError

if TYPE_CHECKING:
    from builder.llm.base import ChatLLM

__all__ = ["Backend", "BACKENDS", "backend", "get_backend"]


@dataclass(frozen=True)
class Backend:
    name: str
    description: str
    import_class: Callable[[], "type[ChatLLM]"]
    dependency: str | None = None  # the optional Python module it needs
    install: str | None = None  # how to get that module
    takes_model: bool = True  # written `name:MODEL`
    over_http: bool = False  # `base_url` is a network endpoint
    public_url: str | None = None  # the endpoint when a role gives no `base_url`
    public_key_env: str | None = None  # the key variable the public endpoint needs, when none is named

    def chat_class(self) -> "type[ChatLLM]":
        return self.import_class()

    def import_dependency(self, role: str, spec: str) -> ModuleType:
        """The optional module, or `LLMConfigError` naming the role, its backend `spec` and the
        install command."""
        assert self.dependency is not None, f"backend {self.name!r} declares no dependency"
        try:
            return importlib.import_module(self.dependency)
        except ImportError as e:
            raise LLMConfigError(
                f"role {role!r} uses backend {spec!r}, which needs the Python package "
                f"{self.dependency!r} (not importable: {e}); install it with: {self.install}"
            ) from e


BACKENDS: dict[str, Backend] = {}


def backend(name: str, description: str, **facts: Any) -> Callable:
    """Register the decorated function (it imports and returns the backend's class) as `name`;
    `facts` are the other fields of `Backend`."""

    def register(import_class: Callable[[], "type[ChatLLM]"]) -> Callable[[], "type[ChatLLM]"]:
        BACKENDS[name] = Backend(name, description, import_class, **facts)
        return import_class

    return register


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        known = ", ".join(f"'{k}'" for k in BACKENDS)
        raise LLMConfigError(f"unknown backend {name!r}; known backends are {known}") from None


@backend("openai", "an OpenAI-compatible HTTP endpoint (OpenAI, vLLM/SGLang/llama.cpp servers via base_url)",
         over_http=True, public_url="https://api.openai.com/v1", public_key_env="OPENAI_API_KEY")
def _openai() -> "type[ChatLLM]":
    from builder.llm.backends.openai_compat import OpenAICompatLLM

    return OpenAICompatLLM


@backend("litellm", "any provider litellm supports (needs the `litellm` extra)",
         dependency="litellm", install="pip install 'builder[litellm]'", over_http=True)
def _litellm() -> "type[ChatLLM]":
    from builder.llm.backends.litellm import LiteLLMChatLLM

    return LiteLLMChatLLM


@backend("anthropic", "Anthropic's Messages API (needs the `anthropic` extra)",
         dependency="anthropic", install="pip install 'builder[anthropic]'", over_http=True,
         public_url="https://api.anthropic.com", public_key_env="ANTHROPIC_API_KEY")
def _anthropic() -> "type[ChatLLM]":
    from builder.llm.backends.anthropic import AnthropicChatLLM

    return AnthropicChatLLM


@backend("vllm", "vLLM in-process (needs `vllm` and a GPU)", dependency="vllm",
         install="pip install vllm (needs a CUDA GPU); or run `vllm serve` and use 'openai:MODEL' with base_url")
def _vllm() -> "type[ChatLLM]":
    from builder.llm.backends.vllm import VLLMChatLLM

    return VLLMChatLLM


@backend("llamacpp", "a local GGUF file run in-process by llama-cpp-python (needs the `local` extra)",
         dependency="llama_cpp", install="CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install 'builder[local]'")
def _llamacpp() -> "type[ChatLLM]":
    from builder.llm.backends.llamacpp import LlamaCppChatLLM

    return LlamaCppChatLLM


@backend("simulator", "the built-in deterministic offline simulator (no model)", takes_model=False)
def _simulator() -> "type[ChatLLM]":
    from builder.simulator.backend import SimulatorLLM

    return SimulatorLLM
