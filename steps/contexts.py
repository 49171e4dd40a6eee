"""Context sampling (no LLM): each task's context, and the families tasks are grouped into.

Every random choice derives from the run seed and the task id, so a resumed or re-run build
samples exactly the same contexts. A share of the tasks is grouped into families of two or
three tasks for one user, which reverse task recombination later merges into longer tasks.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from builder.personas import PERSONAS
from builder.records import Blueprint, Context, TaskRecord

if TYPE_CHECKING:
    from builder.config import BuildConfig
    from domains.framework.domain import Domain
    from domains.framework.sampling import PlannedCall


@dataclass(frozen=True)
class Unit:
    """A task that runs alone, or a family of 2-3 tasks of one user (contiguous task indexes)
    whose validated blueprints are then recombined into one longer task."""

    first: int  # task index of its first task
    size: int
    family: int | None = None  # family number, None for a task on its own

    @property
    def indexes(self) -> range:
        return range(self.first, self.first + self.size)


def units(config: "BuildConfig", start: int = 0) -> Iterator[Unit]:
    """The run's tasks in index order, grouped into families, from the unit holding `start` on.

    Families come first, their sizes drawn one after the other from one seeded stream, then
    single tasks: lazily, so sampling costs O(1) per task and nothing proportional to the
    number of tasks is held (single tasks are not even walked over to reach `start`).
    """
    share = config.blueprints.recombine_share
    n_families = round(config.tasks * share / (1 - share)) if share > 0 else 0
    rng = random.Random(f"{config.seed}:{config.domain}:families")
    index = 0
    for family in range(n_families):
        size = rng.choice([2, 2, 3])
        if index + size > config.tasks:
            break
        if index + size > start:
            yield Unit(index, size, family)
        index += size
    for single in range(max(index, start), config.tasks):
        yield Unit(single, 1)


def seed_examples(domain: "Domain", n: int, chain: list["PlannedCall"]) -> list[Blueprint]:
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


def task_id_of(config: "BuildConfig", index: int) -> str:
    return f"{config.domain}-{config.seed}-{index:05d}"


def family_id_of(config: "BuildConfig", family: int) -> str:
    return f"{config.domain}-{config.seed}-family{family:04d}"


def sample_task(config: "BuildConfig", domain: "Domain", unit: Unit, index: int) -> TaskRecord:
    """The context of task `index` of `unit`: a function of the seed, the task and its family."""
    task_id = task_id_of(config, index)
    rng = random.Random(f"{config.seed}:{task_id}")
    family = unit.family
    user_id = None
    prelude: list[tuple[str, dict[str, Any]]] = []
    if family is not None:
        user_id = random.Random(f"{config.seed}:{config.domain}:family{family}").choice(domain.user_ids())
        # earlier tasks of the family have happened, so this one picks other records
        for earlier in range(unit.first, index):
            prior = sample_task(config, domain, unit, earlier)
            prelude += [(c.name, c.arguments) for c in prior.context.chain]
    chain = domain.sampler.sample(
        rng, max_targets=config.blueprints.max_targets, user_id=user_id, prelude=prelude
    )
    context = Context(
        user_id=chain.user_id,
        records=_jsonable(domain.user_context(domain.new_environment().db, chain.user_id)),
        chain=chain.calls,
        scenarios=chain.scenarios,
        persona=rng.choice(PERSONAS),
        examples=seed_examples(domain, config.blueprints.examples, chain.calls),
    )
    return TaskRecord(
        task_id=task_id, domain=config.domain, seed=config.seed, context=context,
        family=None if family is None else family_id_of(config, family),
    )


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda o: o.model_dump(mode="json")))
