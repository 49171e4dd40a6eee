"""The dataset card: Hub-valid metadata, and numbers equal to stats.json and to the Parquet rows."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import datasets
import pyarrow.parquet as pq
import pytest
from huggingface_hub import DatasetCard

from builder.cards.dataset_card import (
    COLUMN_DOCS,
    LICENSE,
    SIZE_BUCKETS,
    render_dataset_card,
    size_category,
)
from builder.errors import UserError
from builder.export import CONFIGS
from tests.cards.conftest import REAL, SIMULATED, make_run
from tests.cards.markdown import number, table
from tests.export.records import data_path

# The Hub's documented `size_categories` values (huggingface_hub's DatasetCardData docstring).
HUB_SIZE_CATEGORIES = {"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M",
                       "100M<n<1B", "1B<n<10B", "10B<n<100B", "100B<n<1T", "n>1T"}


@pytest.fixture(scope="module")
def card(run_dir) -> str:
    return render_dataset_card(run_dir, repo_id="acme/toy-tools", version="1.2.0")


@pytest.fixture(scope="module")
def stats(run_dir) -> dict:
    return json.loads((run_dir / "stats.json").read_text())


def parquet_rows(run_dir, config: str) -> list[dict]:
    return [r for p in sorted((run_dir / "dataset" / config).glob("*.parquet")) for r in pq.read_table(p).to_pylist()]


def test_card_parses_with_hub_metadata(card, run_dir):
    data = DatasetCard(card).data
    assert data.license == LICENSE
    assert data.task_categories == ["text-generation"]
    assert data.size_categories == ["n<1K"] and set(data.size_categories) <= HUB_SIZE_CATEGORIES
    assert data.pretty_name == "Toy tool-use conversations (APIGen-MT)"
    assert {"tool-use", "function-calling", "multi-turn", "synthetic", "apigen-mt", "simulated"} <= set(data.tags)
    assert [c["config_name"] for c in data.configs] == list(CONFIGS)
    assert [c for c in data.configs if c.get("default")] == [data.configs[0]]


def test_configs_point_at_files_that_exist(card, run_dir):
    for config in DatasetCard(card).data.configs:
        for entry in config["data_files"]:
            assert list((run_dir / "dataset").glob(entry["path"])), entry


def test_card_metadata_is_what_datasets_loads(run_dir, tmp_path):
    """With the card as its README, the folder loads every config with the card's row counts."""
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    card = render_dataset_card(run)
    (run / "dataset" / "README.md").write_text(card)
    rows = {r[0].strip("`").removesuffix("` (default)"): number(r[2]) for r in table(card, "config")}
    for config in CONFIGS:
        ds = datasets.load_dataset(str(run / "dataset"), config, split="train", cache_dir=str(tmp_path / "cache"))
        assert len(ds) == rows[config] == len(parquet_rows(run, config)), config
    default = datasets.load_dataset(str(run / "dataset"), split="train", cache_dir=str(tmp_path / "cache"))
    assert "conversations" in default.column_names  # trajectories is the default config


def test_funnel_numbers_are_those_of_stats_json(card, stats):
    f = stats["funnel"]
    funnel = {r[0]: r for r in table(card, "stage")}
    assert number(funnel["Context sampling (no LLM)"][2]) == f["contexts"]
    for rnd in f["rounds"]:
        stage = next(s for s in funnel if s.startswith(f"Blueprint generation, round {rnd['round']}"))
        assert (number(funnel[stage][1]), number(funnel[stage][2])) == (rnd["candidates"], rnd.get("passed", 0))
    assert number(funnel["Validated blueprints"][2]) == f["blueprints_validated"]
    assert f"{f['blueprints_rejected']} rejected" in funnel["Validated blueprints"][3]
    rec = f["recombination"]
    assert (number(funnel["Reverse task recombination"][1]), number(funnel["Reverse task recombination"][2])) == (
        rec["merged"], rec["validated"])
    conv = f["conversations"]
    assert number(funnel["Conversation attempts"][1]) == conv["attempts"]
    assert number(funnel["Conversation attempts"][2]) == conv["passed_attempts"]
    assert number(funnel["Blueprints with a verified conversation"][2]) == conv["blueprints_verified"]
    for reason, n in stats["rejection_reasons"].items():
        assert f"| `{reason}` | {n} |" in card


def test_counts_and_distributions_equal_the_parquet_rows(card, run_dir):
    traj = parquet_rows(run_dir, "trajectories")
    bps = parquet_rows(run_dir, "blueprints")
    calls = Counter(json.loads(t["value"])["name"] for r in traj for t in r["conversations"] if t["from"] == "function_call")
    offered = {t["name"] for r in traj for t in json.loads(r["tools"])}
    tools = {r[0].strip("`"): (number(r[1]), number(r[2])) for r in table(card, "tool")}
    assert set(tools) == offered
    for name in offered:
        in_rows = sum(1 for r in traj if any(
            t["from"] == "function_call" and json.loads(t["value"])["name"] == name for t in r["conversations"]))
        assert tools[name] == (calls[name], in_rows), name
    turns = {number(a): number(b) for a, b in table(card, "user turns")}
    assert turns == Counter(r["num_turns"] for r in traj)
    domains = {r[0].strip("`"): (number(r[1]), number(r[2])) for r in table(card, "domain")}
    assert domains == {d: (sum(b["domain"] == d for b in bps), sum(t["domain"] == d for t in traj))
                       for d in {r["domain"] for r in traj + bps}}
    kinds = Counter(b["kind"] for b in bps)
    assert f"**{len(bps)} validated task blueprints** ({kinds['base']} base, {kinds['recombined']} recombined)" in card
    n = [r["num_turns"] for r in traj]
    assert f"min {min(n)}, " in card and f"max {max(n)}." in card


def test_schema_tables_list_every_column_with_its_type_and_a_description(card, run_dir):
    for config in CONFIGS:
        columns = pq.read_schema(next((run_dir / "dataset" / config).glob("*.parquet"))).names
        section = card.split(f"`{config}`:\n", 1)[1]
        rows = table(section, "column")
        assert [r[0].strip("`") for r in rows] == columns, config
        assert all(r[2] for r in rows), f"{config}: a column without a description"
        assert set(COLUMN_DOCS[config]) == set(columns), config
    types = {r[0].strip("`"): r[1].strip("`") for r in table(card.split("`messages`:\n", 1)[1], "column")}
    assert types["messages"] == "list<json>" and types["id"] == "string"


def test_models_seed_and_config_hash(card, run_dir, stats):
    assert f"config hash `{SIMULATED.fingerprint()}`" in card
    assert SIMULATED.fingerprint() == stats["config_fingerprint"]
    assert "seed 3;" in card
    models = dict(table(card, "role")[:6])
    assert models["generator"] == "`simulator`" and models["reviewer 0"] == "`simulator`"


def test_loading_example_names_repo_and_version_tag(card, run_dir):
    assert 'load_dataset("acme/toy-tools", "messages", split="train", revision="v1.2.0")' in card
    local = render_dataset_card(run_dir)
    assert 'load_dataset("path/to/dataset", "trajectories", split="train")' in local
    assert "revision=" not in local


def test_simulated_data_is_labelled_and_real_models_are_named(card, run_dir, tmp_path, toy):
    assert "**Simulated data.**" in card and "do not train a model on it" in card
    real = make_run(tmp_path / "real", REAL, toy)
    text = render_dataset_card(real)
    assert "Simulated data" not in text and "simulated" not in DatasetCard(text).data.tags
    assert "`vllm:Qwen/Qwen2.5-7B-Instruct`" in text and "| reviewer 1 | `anthropic:claude-3-5-haiku` |" in text
    assert "providers' terms of use" in text


def test_curation_table_has_the_counts_of_stats_json(run_dir, tmp_path):
    cur = json.loads((run_dir / "stats.json").read_text())["funnel"]["curation"]
    rows = table(render_dataset_card(run_dir), "table")
    expected = [(t, c["in"], c["out"], sum(c["removed"].values())) for t in ("trajectories", "blueprints")
                for c in cur[t].values()]
    got = [(r[0], number(r[2]), number(r[3]), sum(int(n.split()[0]) for n in r[4].split(", ") if n)) for r in rows]
    assert got == expected
    assert any(r[4] for r in rows)  # the hand-made records include failed attempts

    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    stats = json.loads((run / "stats.json").read_text())
    del stats["funnel"]["curation"]  # a run from before curation existed
    (run / "stats.json").write_text(json.dumps(stats))
    assert "### Curation" not in render_dataset_card(run)


@pytest.mark.parametrize("rows,bucket", [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (9_999, "1K<n<10K"),
                                         (250_000, "100K<n<1M"), (10**12, "n>1T")])
def test_size_category_bucket(rows, bucket):
    assert size_category(rows) == bucket
    assert {name for _, name in SIZE_BUCKETS} | {"n>1T"} == HUB_SIZE_CATEGORIES


def test_a_folder_without_stats_or_dataset_is_a_user_error(run_dir, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    shutil.rmtree(run / "dataset")
    with pytest.raises(UserError, match="holds no Parquet split"):
        render_dataset_card(run)
    (run / "stats.json").unlink()
    with pytest.raises(UserError, match="no stats.json"):
        render_dataset_card(run)


def test_a_run_without_verified_conversations_describes_its_blueprints(run_dir, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(run_dir, run)
    for config in ("trajectories", "messages"):  # what the exporter leaves when no conversation passed
        shutil.rmtree(run / "dataset" / config)
    card = render_dataset_card(run)
    data = DatasetCard(card).data
    assert [c["config_name"] for c in data.configs] == ["blueprints"]
    assert data.configs[0]["data_files"] == [
        {"split": "train", "path": data_path(run / "dataset", "blueprints").relative_to(run / "dataset").as_posix()}]
    assert "**0 conversations**" in card and "Published conversations" not in card
    assert "| `blueprints` | train | 4 |" in card


def test_a_partly_simulated_run_names_the_simulated_roles(tmp_path, toy):
    config = SIMULATED.model_validate({**SIMULATED.model_dump(mode="json"),
                                       "roles": {"agent": {"backend": "vllm:Qwen/Qwen2.5-7B-Instruct"}}})
    card = render_dataset_card(make_run(tmp_path / "run", config, toy))
    assert "simulator played these roles: generator, reviewer 0, reviewer 1, reviewer 2, user" in " ".join(card.split())
    assert "simulated" in DatasetCard(card).data.tags and "wrote part of this text" in " ".join(card.split())


def test_roles_on_the_simulators_http_server_are_labelled_simulated(tmp_path, toy):
    """`builder simulator serve` (`openai:simulator`) is the simulator too: card, tags, stats, rows."""
    served = {"backend": "openai:simulator", "base_url": "http://localhost:8000/v1"}
    config = REAL.model_validate({**REAL.model_dump(mode="json"), "roles": {**REAL.roles.model_dump(mode="json"),
                                                                            "human": served, "agent": served}})
    run = make_run(tmp_path / "run", config, toy)
    card = render_dataset_card(run)
    assert "simulator played these roles: user, agent" in " ".join(card.split())
    assert "simulated" in DatasetCard(card).data.tags
    assert json.loads((run / "stats.json").read_text())["simulated"] is True
    rows = pq.read_table(data_path(run / "dataset", "trajectories")).column("simulated").to_pylist()
    assert rows and all(rows)
