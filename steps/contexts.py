"""Context sampling (no LLM): the first step, one task row per sampled context.

Every random choice derives from the run seed and the task id, so a resumed or re-run build
samples exactly the same contexts. A share of the tasks is grouped into families of two or
three tasks for one user, which reverse task recombination later merges into longer tasks.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distilabel.steps import GeneratorStep

from builder.personas import PERSONAS
from builder.records import Blueprint, Context, PlannedCallRecord, TaskRecord
from builder.run.folder import read_config
from domains import load_domain

if TYPE_CHECKING:
    from distilabel.typing import GeneratorStepOutput

    from builder.config import BuildConfig
    from domains.framework.domain import Domain


def family_plan(config: "BuildConfig") -> dict[int, int]:
    """Task index -> family number, for the tasks that belong to a family."""
    share = config.blueprints.recombine_share
    if share <= 0:
        return {}
    n_families = round(config.tasks * share / (1 - share))
    rng = random.Random(f"{config.seed}:{config.domain}:families")
    plan: dict[int, int] = {}
    index = 0
    for family in range(n_families):
        size = rng.choice([2, 2, 3])
        if index + size > config.tasks:
            break
        for _ in range(size):
            plan[index] = family
            index += 1
    return plan


def seed_examples(domain: "Domain", n: int, chain: list[PlannedCallRecord]) -> list[Blueprint]:
    """`n` of the domain's hand-written example blueprints, as in-context examples for the
    generator: first those whose write tools the chain's targets use, so the example shows the
    form of this kind of task, then the others in their order.

    Earlier validated blueprints of the same run would make a task's prompt depend on which
    tasks happened to finish first; seed examples keep every prompt a function of the seed.
    """
    targets = {c.name for c in chain if c.purpose == "target" and c.kind == "write"}
    examples = [Blueprint.model_validate(e) for e in domain.examples]
    ranked = sorted(examples, key=lambda e: not targets & {a.name for a in e.actions})
    return ranked[:n]


def sample_task(config: "BuildConfig", domain: "Domain", index: int, plan: dict[int, int]) -> TaskRecord:
    task_id = f"{config.domain}-{config.seed}-{index:05d}"
    rng = random.Random(f"{config.seed}:{task_id}")
    family = plan.get(index)
    user_id = None
    prelude: list[tuple[str, dict[str, Any]]] = []
    if family is not None:
        user_id = random.Random(f"{config.seed}:{config.domain}:family{family}").choice(domain.user_ids())
        # earlier tasks of the family have happened, so this one picks other records
        for earlier in sorted(i for i, f in plan.items() if f == family and i < index):
            prior = sample_task(config, domain, earlier, plan)
            prelude += [(c.name, c.arguments) for c in prior.context.chain]
    chain = domain.sampler.sample(
        rng, max_targets=config.blueprints.max_targets, user_id=user_id, prelude=prelude
    )
    calls = [PlannedCallRecord(**c.model_dump()) for c in chain.calls]
    context = Context(
        user_id=chain.user_id,
        records=_jsonable(domain.user_context(domain.new_environment().db, chain.user_id)),
        chain=calls,
        scenarios=chain.scenarios,
        persona=rng.choice(PERSONAS),
        examples=seed_examples(domain, config.blueprints.examples, calls),
    )
    return TaskRecord(
        task_id=task_id, domain=config.domain, seed=config.seed, context=context,
        family=None if family is None else f"{config.domain}-{config.seed}-family{family:04d}",
    )


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda o: o.model_dump(mode="json")))


class SampleContexts(GeneratorStep):
    run_dir: str

    @property
    def outputs(self) -> list[str]:
        return ["task_id", "record"]

    def process(self, offset: int = 0) -> "GeneratorStepOutput":
        config = read_config(Path(self.run_dir))
        domain = load_domain(config.domain)
        plan = family_plan(config)
        batch: list[dict[str, str]] = []
        for index in range(offset, config.tasks):
            record = sample_task(config, domain, index, plan)
            batch.append({"task_id": record.task_id, "record": record.model_dump_json()})
            if len(batch) == self.batch_size:
                yield batch, index == config.tasks - 1
                batch = []
        if batch or config.tasks == offset:
            yield batch, True
