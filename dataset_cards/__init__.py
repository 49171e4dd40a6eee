"""The card templates (Jinja2, rendered by `builder.cards`).

`dataset_card.md.j2` is the README.md of a curated dataset (DIR/dataset/ and each published
version); `model_card.md.j2` is the README.md of a model fine-tuned on a published version.
They are package data so that an installed builder finds them, not only a checkout.
"""

from __future__ import annotations

from importlib.resources import files


def template_text(name: str) -> str:
    return (files(__name__) / name).read_text(encoding="utf-8")
