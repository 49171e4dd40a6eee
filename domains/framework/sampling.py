"""Context sampling without an LLM: a user, their records, and a chain of tool calls that runs.

A domain supplies *scenarios*: small functions that, given the current database and a user,
propose the target calls of a task (usually writes, sometimes a read whose answer the user
wants). The sampler authenticates the user, then for each target walks the API graph to add
the reads an agent would need to discover the target's arguments (the order's items before an
exchange, the product's variants before choosing a new item), executes everything on a fresh
environment, and records what happened. Failures are recorded, never retried away: a chain
that does not execute is a bug in the domain or its scenarios, and `domains check` says so.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from domains.framework.database import Database
from domains.framework.environment import Environment, Observation, to_jsonable
from domains.framework.graph import feeding_fields

if TYPE_CHECKING:
    from domains.framework.domain import Domain

TargetCall = tuple[str, dict[str, Any]]
MAX_ARG_COMBINATIONS = 12


@dataclass(frozen=True)
class Scenario:
    """A kind of task: `propose(db, user_id, rng)` returns target calls, or None if it cannot apply."""

    name: str
    propose: Callable[[Database, str, random.Random], list[TargetCall] | None]
    weight: float = 1.0


class PlannedCall(BaseModel):
    name: str
    arguments: dict[str, Any]
    kind: str
    purpose: str  # auth | discover | target
    ok: bool
    observation: str


class SampledChain(BaseModel):
    user_id: str
    scenarios: list[str]
    calls: list[PlannedCall]
    fingerprint: str

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.calls)

    @property
    def failures(self) -> list[PlannedCall]:
        return [c for c in self.calls if not c.ok]


Known = dict[str, list[Any]]


def _add_known(known: Known, field: str, value: Any) -> None:
    if isinstance(value, (str, int, float, bool)):
        bucket = known.setdefault(field, [])
        if value not in bucket:
            bucket.append(value)


def harvest(value: Any, known: Known) -> None:
    """Collect every scalar under its field name (and list elements under the list's name)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, list):
                for item in v:
                    if isinstance(item, (dict, list)):
                        harvest(item, known)
                    else:
                        _add_known(known, k, item)
            elif isinstance(v, dict):
                harvest(v, known)
            else:
                _add_known(known, k, v)
    elif isinstance(value, list):
        for item in value:
            harvest(item, known)


def _is_known(known: Known, fields: Iterable[str], value: Any) -> bool:
    return any(value in known.get(f, ()) for f in fields)


class ChainSampler:
    def __init__(self, domain: "Domain"):
        self.domain = domain
        self.graph = domain.graph

    def sample(
        self,
        rng: random.Random,
        max_targets: int = 2,
        user_id: str | None = None,
        prelude: Iterable[tuple[str, dict[str, Any]]] = (),
    ) -> SampledChain:
        """A chain for `user_id` (or a random user) executed on a fresh environment.

        `prelude` calls run first and are not part of the chain: sampling a task for a user
        after their other tasks makes it pick different records, so tasks of one family can
        be recombined. The fingerprint is of the state after prelude and chain.
        """
        domain = self.domain
        env = domain.new_environment()
        for name, args in prelude:
            env.execute(name, args)
        user_id = user_id or rng.choice(domain.user_ids())
        calls: list[PlannedCall] = []
        known: Known = {}
        _add_known(known, "user_id", user_id)

        auth_name, auth_args = domain.auth_call(env.db, user_id, rng)
        calls.append(self._run(env, auth_name, auth_args, "auth", known))

        chosen: list[str] = []
        n_targets = rng.choice(range(1, max_targets + 1))
        scenarios = list(domain.scenarios)
        for _ in range(n_targets):
            targets = None
            order = rng.sample(scenarios, k=len(scenarios))
            weights = [s.weight for s in order]
            # weighted order without replacement: try scenarios until one applies to this user
            while order and targets is None:
                pick = rng.choices(range(len(order)), weights=weights)[0]
                scenario = order.pop(pick)
                weights.pop(pick)
                targets = scenario.propose(env.db, user_id, rng)
                if targets:
                    chosen.append(scenario.name)
            if not targets:
                break
            for name, args in targets:
                for read_name, read_args in self._discover(env, name, args, known):
                    calls.append(self._run(env, read_name, read_args, "discover", known))
                calls.append(self._run(env, name, args, "target", known))
        return SampledChain(user_id=user_id, scenarios=chosen, calls=calls, fingerprint=env.fingerprint())

    def _run(self, env: Environment, name: str, args: dict[str, Any], purpose: str, known: Known) -> PlannedCall:
        obs = env.execute(name, args)
        if obs.ok:
            harvest(obs.result, known)
        return PlannedCall(
            name=name, arguments=args, kind=obs.kind or "unknown", purpose=purpose, ok=obs.ok, observation=obs.content
        )

    def _discover(self, env: Environment, name: str, args: dict[str, Any], known: Known) -> list[tuple[str, dict[str, Any]]]:
        """Reads that reveal the target's discoverable argument values not yet seen."""
        spec = self.domain.tools[name]
        discoverable = self.graph.discoverable(name)
        needed: list[tuple[str, Any]] = []
        for p in discoverable:
            value = args.get(p)
            for v in value if isinstance(value, list) else [value]:
                if v is not None:
                    needed.append((p, v))
        plan: list[tuple[str, dict[str, Any]]] = []
        progress = True
        while progress:
            progress = False
            for p, v in needed:
                fields = feeding_fields(spec, p)
                if _is_known(known, fields, v):
                    continue
                found = self._find_read(env, name, p, v, fields, known)
                if found:
                    plan.append(found)
                    progress = True
        return plan

    def _find_read(
        self, env: Environment, target: str, param: str, value: Any, fields: set[str], known: Known
    ) -> tuple[str, dict[str, Any]] | None:
        """A read call, with arguments from known values, whose output shows `value`."""
        for reader in self.graph.feeders(target, param):
            if reader in self.domain.auth_tools:
                continue
            rspec = self.domain.tools[reader]
            options = []
            for q in rspec.required:
                vals = [v for f in sorted(feeding_fields(rspec, q)) for v in known.get(f, [])]
                if not vals:
                    break
                options.append([(q, v) for v in vals])
            else:
                for combo in itertools.islice(itertools.product(*options), MAX_ARG_COMBINATIONS):
                    args = dict(combo)
                    try:  # reads do not change state, so probing is free of side effects
                        result = rspec.func(env.db, **rspec.validate(args))
                    except Exception:
                        continue
                    seen: Known = {}
                    harvest(to_jsonable(result), seen)
                    if _is_known(seen, fields, value):
                        harvest(to_jsonable(result), known)
                        return reader, args
        return None


def replay(domain: "Domain", calls: Iterable[tuple[str, dict[str, Any]]]) -> tuple[Environment, list[Observation]]:
    """Execute calls in order on a fresh environment; the basis of every execution check."""
    env = domain.new_environment()
    observations = [env.execute(name, args) for name, args in calls]
    return env, observations
