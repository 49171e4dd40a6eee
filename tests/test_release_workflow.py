"""The release workflow, run here: its `run:` steps execute as written, against the local Hub.

GitHub expressions are substituted as the runner would for a push of the tag data-v1.4.2; an
expression this test does not know fails the test, so the workflow cannot depend on something
unchecked. `pip install -e .` is not re-run: the package is installed in this interpreter's
environment already, whose `bin` comes first on PATH as on the runner after that step.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.hub.fixtures import ROOT, TOKEN, hub_env, hub_server, run_python  # noqa: F401

WORKFLOW = ROOT / ".github" / "workflows" / "release-dataset.yml"
REPO, TAG = "acme/release-test", "data-v1.4.2"
EXPRESSIONS = {
    "github.ref_name": TAG,
    "vars.DATASET_REPO": REPO,
    "secrets.HF_TOKEN": TOKEN,
    "vars.RELEASE_TASKS": "4",  # a tiny build; the committed config's own size is for real releases
}


def substitute(text: str) -> str:
    def value(match: re.Match) -> str:
        expr = match.group(1).strip()
        assert expr in EXPRESSIONS, f"the workflow uses ${{{{ {expr} }}}}, which this test does not provide"
        return EXPRESSIONS[expr]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as a boolean
    return data


def test_the_workflow_runs_on_data_tags_from_a_clean_checkout():
    data = load_workflow()
    assert data["on"] == {"push": {"tags": ["data-v*"]}}
    (job,) = data["jobs"].values()
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    runs = [s["run"] for s in job["steps"] if "run" in s]
    assert runs[0] == "pip install -e ."
    assert "--config configs/release.yaml" in runs[1] and (ROOT / "configs" / "release.yaml").exists()
    assert "${{" not in "".join(runs), "values must reach the scripts through env:, not be spliced in"


def test_the_workflow_publishes_the_tagged_version(hub_server, tmp_path):
    job = next(iter(load_workflow()["jobs"].values()))
    workspace = tmp_path / "checkout"
    shutil.copytree(ROOT / "configs", workspace / "configs")
    base = hub_env(hub_server, tmp_path / "home", token=None)
    base["PATH"] = f"{Path(sys.executable).parent}:{base['PATH']}"
    base["COLUMNS"] = "1000"
    ran = []
    for step in job["steps"]:
        if "run" not in step or step["run"] == "pip install -e .":
            continue
        env = {**base, **{k: substitute(str(v)) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                cwd=workspace, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"step {step.get('name')}: {result.stderr[-3000:]}"
        assert TOKEN not in result.stdout + result.stderr
        ran.append(step["name"])
    assert ran == ["Build", "Publish"]

    assert json.loads((workspace / "runs" / "release" / "stats.json").read_text())["tasks"] == 4
    repo = hub_server.store.repo("dataset", REPO)
    assert list(repo.tags) == ["v1.4.2"]
    load = (
        "import json, datasets\n"
        f"hub = datasets.load_dataset({REPO!r}, 'trajectories', revision='v1.4.2', split='train').to_list()\n"
        f"local = datasets.load_dataset({str(workspace / 'runs' / 'release' / 'dataset')!r}, 'trajectories', "
        f"split='train', cache_dir={str(tmp_path / 'local-cache')!r}).to_list()\n"
        "print(json.dumps({'rows': len(hub), 'same': hub == local}))\n"
    )
    out = run_python(load, hub_env(hub_server, tmp_path / "home"))
    assert out["same"] and out["rows"] > 0
