"""The fine-tuning recipe's figures: the longest `messages` row in tokens with a named chat
template, and a `max_length` that trains every row whole.

TRL's `SFTConfig.max_length` defaults to 1024 tokens, while the policy and tool schemas alone
are several thousand: a recipe without it trains on the system prompt and cuts every answer
off. Rows are rendered as `transformers` renders them with Qwen2.5-Instruct's chat template
(shipped in `dataset_cards/`; TRL swaps in its generation-marked copy of it under
`assistant_only_loss=True`). The builder ships no tokenizer, so a row's tokens are estimated
from its text: Qwen2.5 writes every digit as its own token, and the rest of such rows runs
3.8-4.2 characters a token (measured with the Qwen2.5 tokenizer on simulator builds of retail);
counting 3.6 overestimates a little and never under. The opt-in `trl` test checks the estimate
and the recipe against the real tokenizer.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel

TEMPLATE_MODEL = "Qwen/Qwen2.5-7B-Instruct"
TEMPLATE_FILE = "qwen2_5_instruct_chat_template.jinja"
CHARS_PER_TOKEN = 3.6  # of the text that is not digits; see the module docstring
ROUND_TO = 512


class LongestRow(BaseModel):
    template_model: str
    row_id: str
    tokens: int  # estimated, an upper bound in practice
    max_length: int  # covers `tokens`, rounded up to a multiple of ROUND_TO


def render(messages: list[dict[str, Any]], tools: list[dict[str, Any]], add_generation_prompt: bool = False) -> str:
    """A row as `transformers`' `apply_chat_template` renders it with the shipped template:
    sandboxed Jinja, trim_blocks and lstrip_blocks, loop controls, and its own `tojson` (no HTML
    escaping, keys unsorted)."""
    return _template().render(messages=messages, tools=tools, add_generation_prompt=add_generation_prompt,
                              bos_token="", eos_token="<|im_end|>")


@functools.cache
def _template() -> Any:
    """The template, compiled once: compiling it took 20 ms, against 1 ms to render a row."""
    import jinja2
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from dataset_cards import template_text

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template_text(TEMPLATE_FILE))


def estimate_tokens(text: str) -> int:
    digits = sum(map(str.isdigit, text))
    return digits + math.ceil((len(text) - digits) / CHARS_PER_TOKEN)


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def longest_row(files: list[Path]) -> LongestRow | None:
    """The longest row of the `messages` Parquet files, in estimated tokens, and its max_length."""
    import pyarrow.parquet as pq

    best: tuple[int, str] | None = None
    rows = (row for path in files
            for batch in pq.ParquetFile(path).iter_batches(batch_size=256, columns=["id", "messages", "tools"])
            for row in batch.to_pylist())
    for row in rows:
        messages = [_decoded(m) for m in _decoded(row["messages"])]
        tools = [_decoded(t) for t in _decoded(row["tools"])]
        tokens = estimate_tokens(render(messages, tools))
        if best is None or tokens > best[0]:
            best = (tokens, row["id"])
    if best is None:
        return None
    return LongestRow(template_model=TEMPLATE_MODEL, row_id=best[1], tokens=best[0],
                      max_length=math.ceil(best[0] / ROUND_TO) * ROUND_TO)
