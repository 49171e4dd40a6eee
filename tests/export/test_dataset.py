"""The DIR/dataset/ folder: layout, README configs, which rows are kept, re-export."""

from __future__ import annotations

import json

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

from builder.config import BuildConfig
from builder.errors import BuildFailure
from builder.export import CONFIGS
from builder.export.blueprints import COLUMNS as BLUEPRINT_COLUMNS
from builder.export.conversation import ExportError
from builder.export.dataset import data_file, export_dataset, models_spec
from builder.export.messages import COLUMNS as MESSAGE_COLUMNS
from builder.export.trajectories import COLUMNS as TRAJECTORY_COLUMNS
from builder.curation.selection import Selection
from builder.llm.types import Message
from builder.records import Attempt
from tests.export.records import curate_and_export, data_path, in_task_order, make_records, write_stats


def front_matter(readme: str) -> dict:
    assert readme.startswith("---\n")
    return yaml.safe_load(readme.split("---\n")[1])


def test_layout_and_counts(exported):
    run_dir, counts = exported
    root = run_dir / "dataset"
    assert counts == {"trajectories": {"train": 4}, "messages": {"train": 4}, "blueprints": {"train": 4}}
    for name in CONFIGS:
        assert data_path(root, name).name == data_file(name, "train", data_path(root, name).read_bytes()).split("/")[1]
    assert sorted(p.name for p in root.iterdir()) == ["README.md", "blueprints", "messages", "trajectories"]
    assert not list(run_dir.glob(".dataset*"))  # no temporary folder left behind


def test_readme_declares_every_config_with_trajectories_as_default(exported):
    run_dir, _ = exported
    readme = (run_dir / "dataset" / "README.md").read_text()
    meta = front_matter(readme)
    root = run_dir / "dataset"

    def named(name):
        return data_path(root, name).relative_to(root).as_posix()

    assert meta["configs"] == [
        {"config_name": "trajectories", "data_files": [{"split": "train", "path": named("trajectories")}], "default": True},
        {"config_name": "messages", "data_files": [{"split": "train", "path": named("messages")}]},
        {"config_name": "blueprints", "data_files": [{"split": "train", "path": named("blueprints")}]},
    ]
    assert "Simulated data" in readme  # the default roles are the simulator


def test_readme_parses_as_a_hub_dataset_card(exported):
    from huggingface_hub import DatasetCard

    run_dir, _ = exported
    card = DatasetCard.load(run_dir / "dataset" / "README.md")
    assert [c["config_name"] for c in card.data.configs] == list(CONFIGS)


def test_default_config_is_trajectories(exported, hf_cache):
    run_dir, _ = exported
    ds = datasets.load_dataset(str(run_dir / "dataset"), split="train", cache_dir=str(hf_cache))
    assert ds.column_names == TRAJECTORY_COLUMNS


@pytest.mark.parametrize("config, columns", [
    ("trajectories", TRAJECTORY_COLUMNS), ("messages", MESSAGE_COLUMNS), ("blueprints", BLUEPRINT_COLUMNS),
])
def test_each_config_loads_with_its_columns(load, config, columns):
    assert load(config).column_names == columns


def test_kept_rows_are_the_passed_attempts_of_validated_tasks_in_order(load):
    ids = ["toy-0-00001-a1", "toy-0-00002-a0", "toy-0-f1-merged-a0", "toy-0-f1-merged-a2"]
    assert load("trajectories")["id"] == ids
    assert load("messages")["id"] == ids
    # every validated blueprint, with or without a verified conversation; never the rejected one
    assert load("blueprints")["id"] == ["toy-0-00001", "toy-0-00002", "toy-0-00006", "toy-0-f1-merged"]


def test_messages_rows_say_which_models_made_them_as_trajectories_do(load):
    messages, trajectories = load("messages"), load("trajectories")
    assert messages["models"] == trajectories["models"]
    assert messages["simulated"] == trajectories["simulated"] == [True] * 4  # the toy config's roles are the simulator
    assert messages["models"][0]["agent"] == "simulator"


def test_json_values_are_written_exactly(tmp_path, toy_domain, toy_config):
    """We write the JSON text ourselves (json.dumps): datasets' own encoder keeps ten digits."""
    records = make_records()
    records[1].rounds[0].blueprint.actions[0].arguments["options"]["refund"] = 123456.78901234567
    curate_and_export(tmp_path, toy_config, records, domain=toy_domain)
    table = pq.read_table(data_path(tmp_path / "dataset", "blueprints"))
    features = json.loads(table.schema.metadata[b"huggingface"])["info"]["features"]
    assert features["actions"]["feature"]["arguments"] == {"_type": "Json"}
    texts = [a["arguments"] for row in table.column("actions").to_pylist() for a in row]
    assert '{"order_id": "#O3_0", "options": {"items": ["a", "b"], "refund": 123456.78901234567, "note": null, "rush": false}}' in texts
    ds = datasets.load_dataset(str(tmp_path / "dataset"), "blueprints", split="train", cache_dir=str(tmp_path / "c"))
    assert ds[3]["actions"][0]["arguments"]["options"]["refund"] == 123456.78901234567


def test_models_and_simulated():
    cfg = BuildConfig.model_validate({
        "domain": "toy",
        "roles": {"generator": {"backend": "openai:gpt-4o-mini"}, "reviewers": [{"backend": "anthropic:claude-x"}],
                  "human": {"backend": "llamacpp:/home/me/models/qwen.gguf"}, "agent": {"backend": "vllm:Qwen/Qwen2.5-7B-Instruct"}},
    })
    assert models_spec(cfg) == {
        "generator": "openai:gpt-4o-mini", "reviewers": ["anthropic:claude-x"], "human": "llamacpp:qwen.gguf",
        "agent": "vllm:Qwen/Qwen2.5-7B-Instruct", "judge": None,
    }
    assert cfg.simulated_roles() == []  # the judge (a simulator by default) took no part
    with_judge = cfg.model_copy(update={"interplay": cfg.interplay.model_copy(update={"user_candidates": 4})})
    assert models_spec(with_judge)["judge"] == "simulator"
    assert with_judge.simulated_roles() == ["judge"]


def test_roles_on_the_simulators_http_server_are_simulated():
    served = {"backend": "openai:simulator", "base_url": "http://localhost:8000/v1"}
    cfg = BuildConfig.model_validate({"domain": "toy", "roles": {
        "generator": {"backend": "openai:m"}, "reviewers": [{"backend": "openai:m"}], "human": served, "agent": served}})
    assert cfg.simulated_roles() == ["human", "agent"]
    assert BuildConfig.model_validate({**cfg.model_dump(), "phase": 1}).simulated_roles() == []  # no conversations


def test_reexport_replaces_the_folder_and_leaves_out_empty_configs(tmp_path, toy_domain, toy_config, hf_cache):
    curate_and_export(tmp_path, toy_config, make_records(), domain=toy_domain)
    no_conversations = [r.model_copy(update={"attempts": []}) for r in make_records()]
    counts = curate_and_export(tmp_path, toy_config, no_conversations, domain=toy_domain)
    assert counts == {"trajectories": {}, "messages": {}, "blueprints": {"train": 4}}
    root = tmp_path / "dataset"
    assert sorted(p.name for p in root.iterdir()) == ["README.md", "blueprints"]
    meta = front_matter((root / "README.md").read_text())
    assert [c["config_name"] for c in meta["configs"]] == ["blueprints"]
    ds = datasets.load_dataset(str(root), "blueprints", split="train", cache_dir=str(tmp_path / "cache"))
    assert len(ds) == 4


def test_malformed_kept_conversation_fails_the_export_and_keeps_the_previous_one(tmp_path, toy_domain, toy_config):
    curate_and_export(tmp_path, toy_config, make_records(), domain=toy_domain)
    records = make_records()
    bad = records[-1]  # task toy-0-00001
    bad.attempts[1] = Attempt(attempt=1, passed=True, messages=[Message(role="user", content="hi"),
                                                                Message(role="tool", content="orphan")])
    with pytest.raises(ExportError, match="task toy-0-00001 attempt 1"):
        curate_and_export(tmp_path, toy_config, records, domain=toy_domain)
    assert data_path(tmp_path / "dataset", "trajectories").is_file()


def test_nan_in_arguments_is_an_export_error(tmp_path, toy_domain, toy_config):
    records = make_records()
    records[-1].attempts[1].messages[4].tool_calls[0].arguments["email"] = float("nan")
    with pytest.raises(ExportError, match="task toy-0-00001 attempt 1"):
        curate_and_export(tmp_path, toy_config, records, domain=toy_domain)


def test_default_domain_comes_from_the_registry(tmp_path):
    """With no `domain` passed, the exporter loads config.domain (here the built-in retail)."""
    from domains import load_domain

    try:
        retail = load_domain("retail")
    except Exception as exc:  # the retail domain is still being written
        pytest.skip(f"retail domain not loadable: {exc}")
    records = [r.model_copy(update={"domain": "retail"}) for r in make_records()]
    curate_and_export(tmp_path, BuildConfig(domain="retail"), records)
    table = pq.read_table(data_path(tmp_path / "dataset", "trajectories"))
    tools = json.loads(table.column("tools")[0].as_py())
    assert [t["name"] for t in tools] == [s["function"]["name"] for s in retail.tool_schemas()]
    assert table.column("system")[1].as_py() == retail.policy.text  # task B has no system message


SELECTION = Selection(
    trajectories={("toy-0-00001", 1): "train", ("toy-0-f1-merged", 0): "test", ("toy-0-f1-merged", 2): "test"},
    blueprints={"toy-0-00001": "train", "toy-0-00006": "train", "toy-0-f1-merged": "test"},
)


def test_only_the_selected_rows_are_written_each_in_its_split(tmp_path, toy_domain, toy_config):
    write_stats(tmp_path, toy_config, make_records())
    counts = export_dataset(tmp_path, toy_config, in_task_order(make_records()), domain=toy_domain, selection=SELECTION)
    assert counts == {"trajectories": {"train": 1, "test": 2}, "messages": {"train": 1, "test": 2},
                      "blueprints": {"train": 2, "test": 1}}
    root = tmp_path / "dataset"
    meta = front_matter((root / "README.md").read_text())
    assert meta["configs"][0]["data_files"] == [
        {"split": split, "path": data_path(root, "trajectories", split).relative_to(root).as_posix()}
        for split in ("train", "test")
    ]

    def ids(config, split):
        return datasets.load_dataset(str(root), config, split=split, cache_dir=str(tmp_path / "c"))["id"]

    assert ids("trajectories", "train") == ids("messages", "train") == ["toy-0-00001-a1"]
    assert ids("trajectories", "test") == ["toy-0-f1-merged-a0", "toy-0-f1-merged-a2"]
    assert ids("blueprints", "train") == ["toy-0-00001", "toy-0-00006"]
    assert ids("blueprints", "test") == ["toy-0-f1-merged"]


@pytest.mark.parametrize("selection, named", [
    (Selection(trajectories={("toy-0-00001", 0): "train"}, blueprints={}), r"conversation \('toy-0-00001', 0\)"),
    (Selection(trajectories={}, blueprints={"toy-0-00003": "train"}), "blueprint toy-0-00003"),
    (Selection(trajectories={("nope", 1): "train"}, blueprints={}), "nope"),
])
def test_a_selection_that_is_not_the_runs_fails_naming_the_row(tmp_path, toy_domain, toy_config, selection, named):
    """A failed attempt, a rejected blueprint, an unknown task: the selection is stale."""
    with pytest.raises(ExportError, match=named):
        export_dataset(tmp_path, toy_config, in_task_order(make_records()), domain=toy_domain, selection=selection)


def test_an_uncurated_run_is_not_exported(tmp_path, toy_domain, toy_config):
    with pytest.raises(BuildFailure, match="not been curated"):
        export_dataset(tmp_path, toy_config, in_task_order(make_records()), domain=toy_domain)


def test_load_dataset_never_returns_another_export_from_its_cache(tmp_path, toy_domain, toy_config):
    """`datasets` keys a local folder's cache on the folder name and the README's configs: with
    fixed file names, a second run's `dataset/` (or a re-curated one) loaded the first's rows."""
    cache = str(tmp_path / "one-cache")

    def ids(run):
        return datasets.load_dataset(str(run / "dataset"), "blueprints", split="train", cache_dir=cache)["id"]

    curate_and_export(tmp_path / "a", toy_config, make_records(), domain=toy_domain)
    first = ids(tmp_path / "a")
    fewer = [r for r in make_records() if r.task_id != "toy-0-00006"]
    curate_and_export(tmp_path / "b", toy_config, fewer, domain=toy_domain)
    assert ids(tmp_path / "b") == [i for i in first if i != "toy-0-00006"]
    curate_and_export(tmp_path / "a", toy_config, fewer, domain=toy_domain)  # the same folder, exported anew
    assert ids(tmp_path / "a") == ids(tmp_path / "b")
