"""Rendering a card template from `dataset_cards/`: one Jinja2 environment for both cards.

`huggingface_hub`'s `RepoCard.from_template` renders with a bare `jinja2.Template`; we use our
own environment instead for `StrictUndefined` (a misspelt fact fails the render instead of
leaving a blank in a published card) and block trimming (readable templates). The YAML front
matter is still huggingface_hub's own (`CardData.to_yaml()`), passed in as `card_data` the way
`from_template` does.
"""

from __future__ import annotations

from typing import Any

APIGEN_MT_BIBTEX = """\
@article{prabhakar2025apigenmt,
  title   = {{APIGen-MT}: Agentic Pipeline for Multi-Turn Data Generation via Simulated Agent-Human Interplay},
  author  = {Prabhakar, Akshara and Liu, Zuxin and Zhu, Ming and Zhang, Jianguo and Awalgaonkar, Tulika and
             Wang, Shiyu and Liu, Zhiwei and Chen, Haolin and Hoang, Thai and Niebles, Juan Carlos and
             Heinecke, Shelby and Yao, Weiran and Wang, Huan and Savarese, Silvio and Xiong, Caiming},
  journal = {arXiv preprint arXiv:2504.03601},
  year    = {2025},
  url     = {https://arxiv.org/abs/2504.03601}
}"""


def _number(value: Any) -> str:
    """Counts with thousands separators (12,345); other values as they are."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _cell(value: Any) -> str:
    """A value safe inside a Markdown table cell: one line, no column break."""
    return " ".join(str(value).split()).replace("|", "\\|")


def render_card(template: str, card_data: str, **facts: Any) -> str:
    import jinja2

    from dataset_cards import template_text

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML
    )
    env.filters["n"] = _number
    env.filters["cell"] = _cell
    return env.from_string(template_text(template)).render(card_data=card_data, **facts)
