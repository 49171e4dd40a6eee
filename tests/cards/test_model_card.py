"""`builder model-card`: Hub-valid model metadata, the dataset version, the run's funnel."""

from __future__ import annotations

import json

import pytest
from huggingface_hub import ModelCard, ModelCardData
from typer.testing import CliRunner

from builder.cards.model_card import render_model_card
from builder.app.cli import app
from builder.errors import UserError
from tests.cards.conftest import REAL, make_run
from tests.cards.markdown import number, table

ARGS = {"dataset": "acme/toy-tools", "version": "1.2.0", "base_model": "Qwen/Qwen2.5-1.5B-Instruct"}


def test_metadata_is_what_model_card_data_accepts():
    text = render_model_card(**ARGS, license="apache-2.0", model_id="acme/qwen-toy-tools")
    data = ModelCard(text).data
    assert data.base_model == "Qwen/Qwen2.5-1.5B-Instruct"
    assert data.datasets == ["acme/toy-tools"]
    assert data.license == "apache-2.0"
    assert (data.library_name, data.pipeline_tag) == ("transformers", "text-generation")
    assert {"tool-use", "function-calling", "multi-turn"} <= set(data.tags) and "simulated" not in data.tags
    assert ModelCardData(**data.to_dict()).to_dict() == data.to_dict()
    assert "# qwen-toy-tools" in text and 'model_id = "acme/qwen-toy-tools"' in text


def test_links_the_dataset_version_and_loads_it_at_that_tag():
    text = render_model_card(**ARGS)
    assert "https://huggingface.co/datasets/acme/toy-tools/tree/v1.2.0" in text
    assert 'load_dataset("acme/toy-tools", "messages", split="train", revision="v1.2.0")' in text
    assert 'SFTTrainer(model="Qwen/Qwen2.5-1.5B-Instruct"' in text
    assert "license" not in ModelCard(text).data.to_dict()  # not guessed
    assert "The license of the base model" in text
    assert "| stage |" not in text  # no run given: no funnel


def test_with_the_run_it_reports_the_funnel_and_labels_simulated_data(run_dir):
    text = render_model_card(**ARGS, run_dir=run_dir)
    stats = json.loads((run_dir / "stats.json").read_text())
    funnel = {r[0]: r for r in table(text, "stage")}
    assert number(funnel["Validated blueprints"][2]) == stats["funnel"]["blueprints_validated"]
    assert number(funnel["Conversation attempts"][1]) == stats["funnel"]["conversations"]["attempts"]
    assert "simulated" in ModelCard(text).data.tags
    assert "**Trained on simulated data.**" in text


def test_a_model_trained_on_model_written_data_is_not_labelled_simulated(tmp_path, toy):
    text = render_model_card(**ARGS, run_dir=make_run(tmp_path / "real", REAL, toy))
    assert "simulated" not in ModelCard(text).data.tags and "Trained on simulated data" not in text
    assert "agent `vllm:Qwen/Qwen2.5-7B-Instruct`" in text


@pytest.mark.parametrize("field,value,message", [
    ("dataset", "toy-tools", "--dataset 'toy-tools' must be ORG/NAME"),
    ("dataset", "acme/toy tools", "--dataset 'acme/toy tools' is not a Hub repo id"),
    ("base_model", "Qwen//x", "--base-model"),
    ("version", "v1.2.0", "semantic version"),
])
def test_bad_arguments_are_user_errors_naming_the_flag(field, value, message):
    with pytest.raises(UserError, match=message):
        render_model_card(**{**ARGS, field: value})


def test_cli_writes_the_card_and_refuses_to_overwrite(run_dir, tmp_path):
    out = tmp_path / "README.md"
    cmd = ["model-card", "--dataset", "acme/toy-tools", "--version", "1.2.0", "--base-model", "Qwen/Qwen2.5-1.5B-Instruct",
           "--run", str(run_dir), "--out", str(out), "--license", "apache-2.0"]
    result = CliRunner().invoke(app, cmd)
    assert result.exit_code == 0, result.output
    assert ModelCard(out.read_text()).data.license == "apache-2.0"
    again = CliRunner().invoke(app, cmd)
    assert isinstance(again.exception, UserError) and "--force" in str(again.exception)
    assert CliRunner().invoke(app, [*cmd, "--force"]).exit_code == 0
