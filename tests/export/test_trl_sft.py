"""Opt-in: the dataset card's training recipe, run as written, trains exactly the agent's tokens.

Run with: BUILDER_TEST_GGUF=/path/qwen2.5.gguf pytest -m trl tests/export/test_trl_sft.py
(needs `pip install -e '.[train]'`). A small simulator build gives the `messages` config; the
Qwen2.5 tokenizer comes from the GGUF file (no download) with Qwen2.5-Instruct's chat template,
the one the card names; the model is a tiny random Qwen2 built from its config. Two SFT steps
run with the card's `max_length` and `assistant_only_loss=True`, and the tokens TRL trains on
must be, row by row, exactly the assistant turns as the template writes them.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from builder.cards.dataset_facts import measure
from dataset_cards import template_text
from tests.build_runs import run_cli

pytestmark = pytest.mark.trl
TOY = "tests.domains.framework.toy:build_toy"

GGUF = os.environ.get("BUILDER_TEST_GGUF", "")
if not GGUF or not os.path.isfile(GGUF):
    pytest.skip("set BUILDER_TEST_GGUF to a Qwen2.5 GGUF file (its tokenizer is used)", allow_module_level=True)
pytest.importorskip("trl", reason="trl is not installed (pip install -e '.[train]')")


def assistant_text(message: dict) -> str:
    """What the Qwen2.5 template writes for an assistant message after `<|im_start|>assistant`."""
    if not message.get("tool_calls"):
        return "\n" + message["content"] + "<|im_end|>\n"
    text = "\n" + message["content"] if message.get("content") else ""
    for call in message["tool_calls"]:
        fn = call["function"]
        text += '\n<tool_call>\n{"name": "' + fn["name"] + '", "arguments": ' + json.dumps(fn["arguments"], ensure_ascii=False) + "}\n</tool_call>"
    return text + "<|im_end|>\n"


def trained_spans(labels: list[int]) -> list[list[int]]:
    """The runs of tokens with a loss (TRL labels the others -100)."""
    spans: list[list[int]] = []
    for i, token in enumerate(labels):
        if token != -100:
            if i == 0 or labels[i - 1] == -100:
                spans.append([])
            spans[-1].append(token)
    return spans


def test_the_cards_recipe_trains_exactly_the_assistant_turns(tmp_path):
    import datasets
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM
    from trl import SFTConfig, SFTTrainer

    run = tmp_path / "run"
    # the toy domain: rows of about a thousand tokens, so a step's logits over Qwen2.5's 151k-token
    # vocabulary fit in memory on a laptop (retail's rows are 4-10k tokens)
    result = run_cli("build", "--domain", TOY, "--tasks", "6", "--out", str(run), timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = measure(run / "dataset")
    assert facts.longest_row is not None
    rows = datasets.load_dataset(str(run / "dataset"), "messages", split="train")
    rows = rows.select_columns(["messages", "tools"])

    tokenizer = AutoTokenizer.from_pretrained(str(Path(GGUF).parent), gguf_file=Path(GGUF).name)
    tokenizer.chat_template = template_text("qwen2_5_instruct_chat_template.jinja")  # the card's named template
    lengths = [len(tokenizer.apply_chat_template(r["messages"], tools=r["tools"], tokenize=True, return_dict=True)["input_ids"])
               for r in rows]
    # the card's figure is an upper bound, and its max_length keeps every row whole
    assert max(lengths) <= facts.longest_row.tokens <= facts.longest_row.max_length
    assert facts.longest_row.tokens <= math.ceil(max(lengths) * 1.15), (facts.longest_row, max(lengths))

    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32768)
    args = SFTConfig(output_dir=str(tmp_path / "out"), max_length=facts.longest_row.max_length,
                     assistant_only_loss=True, max_steps=2, per_device_train_batch_size=1,
                     report_to=[], use_cpu=True, save_strategy="no", seed=0)
    trainer = SFTTrainer(model=Qwen2ForCausalLM(config), args=args, train_dataset=rows, processing_class=tokenizer)

    processed = trainer.train_dataset
    assert len(processed) == len(rows)  # no row dropped (TRL drops rows whose assistant turns were all cut)
    for row, length, done in zip(rows, lengths, processed):
        assert len(done["input_ids"]) == length  # nothing cut
        expected = [assistant_text(m) for m in row["messages"] if m["role"] == "assistant"]
        assert [tokenizer.decode(s) for s in trained_spans(done["labels"])] == expected

    out = trainer.train()
    assert trainer.state.global_step == 2 and math.isfinite(out.training_loss)
