"""The model card (README.md) of a model fine-tuned on a published dataset version.

The builder does not train models; this card is what a trainer publishes next to one. It links
the exact dataset version (its Hub tag `vX.Y.Z`), and with the run folder of that version it
also reports the funnel, the domains and the models that made the data, and labels a model
trained on simulator output as such.

License decision: the card carries `--license` when given. Without it the metadata has no
license (the Hub then shows none) and the body says the base model's license applies: a
fine-tuned model inherits it, and guessing it here could publish a wrong one.
"""

from __future__ import annotations

from pathlib import Path

from builder.cards.funnel import funnel_rows
from builder.cards.render import APIGEN_MT_BIBTEX, render_card
from builder.cards.run_facts import read_run
from builder.errors import UserError
from builder.export import DEFAULT_CONFIG

BASE_TAGS = ["tool-use", "function-calling", "multi-turn", "apigen-mt", "trl", "sft"]


def _check_repo_id(value: str, flag: str, *, namespaced: bool) -> str:
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(value)
    except HFValidationError as exc:
        raise UserError(f"{flag} {value!r} is not a Hub repo id: {exc}") from None
    if namespaced and "/" not in value:
        raise UserError(f"{flag} {value!r} must be ORG/NAME, e.g. {flag} my-org/retail-tool-use")
    return value


def render_model_card(
    *,
    dataset: str,
    version: str,
    base_model: str,
    run_dir: Path | None = None,
    model_id: str | None = None,
    license: str | None = None,
) -> str:
    """The README.md text. `run_dir` is the run folder the dataset version was published from."""
    from huggingface_hub import ModelCard, ModelCardData

    from builder.publish.release import check_version

    _check_repo_id(dataset, "--dataset", namespaced=True)
    _check_repo_id(base_model, "--base-model", namespaced=False)
    if model_id is not None:
        _check_repo_id(model_id, "--model-id", namespaced=True)
    check_version(version)
    run = read_run(run_dir) if run_dir is not None else None
    simulated = run is not None and bool(run.simulated_roles)
    name = model_id.split("/")[-1] if model_id else f"{base_model.split('/')[-1]}-{dataset.split('/')[-1]}"
    data = ModelCardData(
        model_name=name,
        base_model=base_model,
        datasets=[dataset],
        license=license,
        language=["en"],
        library_name="transformers",
        pipeline_tag="text-generation",
        tags=BASE_TAGS + (["simulated"] if simulated else []),
    )
    card = render_card(
        "model_card.md.j2",
        data.to_yaml(),
        name=name,
        dataset=dataset,
        version=version,
        revision=f"v{version}",
        base_model=base_model,
        model_id=model_id,
        license=license,
        run=run,
        simulated=simulated,
        funnel=funnel_rows(run.stats, run.facts.total(DEFAULT_CONFIG) if DEFAULT_CONFIG in run.facts.rows else None)
        if run else [],
        bibtex=APIGEN_MT_BIBTEX,
    )
    return str(ModelCard(card))  # parses the front matter: a card the Hub cannot read fails here
