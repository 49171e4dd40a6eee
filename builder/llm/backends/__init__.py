"""Backend implementations of `ChatLLM`; `builder.llm.factory.make_llm` picks one per role.

Optional SDKs (litellm, anthropic, vllm, llama_cpp) are imported only when their backend is
loaded, so the base install stays small; a missing one is reported with the extra to install.
"""
