"""The configuration reference: generated from the config models, shown in the README, true."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from pydantic import BaseModel

from builder.config import BuildConfig, parse_config
from builder.app.config_reference import reference_yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("builder")


def readme_block() -> str:
    """The YAML block of the README's Configuration section."""
    section = (ROOT / "README.md").read_text().split("## Configuration", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S)[1]


def test_the_readme_shows_the_generated_reference():
    assert readme_block() == reference_yaml(), (
        "the README's configuration block is out of date: replace it with `builder config defaults`")


def test_the_reference_loads_with_the_config_parser_and_is_the_defaults():
    data = yaml.safe_load(readme_block())
    assert parse_config(data, "README.md") == BuildConfig()
    # every key is written out (roles after the first and reviewers are `{}`: all defaults)
    assert set(data) == set(BuildConfig.model_fields)
    for section in ("blueprints", "interplay", "curation"):
        assert set(data[section]) == set(BuildConfig.model_fields[section].annotation.model_fields)
    assert data["roles"]["generator"] == BuildConfig().roles.generator.model_dump(mode="json")


def test_every_key_says_what_it_means():
    def undocumented(model: type[BaseModel], prefix: str) -> list[str]:
        missing = []
        for name, info in model.model_fields.items():
            if not info.description:
                missing.append(prefix + name)
            sub = info.annotation
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                missing += undocumented(sub, f"{prefix}{name}.")
        return missing

    assert undocumented(BuildConfig, "") == []


def test_builder_config_defaults_prints_it():
    result = subprocess.run([str(SCRIPT), "config", "defaults"], capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(ROOT), "COLUMNS": "80", "PATH": str(SCRIPT.parent)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == reference_yaml()
    assert "# task contexts to sample (blueprint candidates) (int, >= 1)\ntasks: 50\n" in result.stdout
