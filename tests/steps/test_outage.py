"""An endpoint that is down ends no task: every stage lets `EndpointDown` through, and the chains
stop without recording a fate for what the outage cost, so that a resumed build redoes exactly
that."""

from __future__ import annotations

import asyncio
import json

import pytest

from builder.config import BuildConfig
from builder.llm.config import RoleConfig
from builder.llm.errors import EndpointDown
from builder.llm.health import reset_health
from builder.llm.types import ChatReply
from builder.prompts.blueprints import RUBRIC
from builder.records import Context, RoundRecord, TaskRecord
from builder.run.folder import prepare_run
from builder.run.journal import Journal
from builder.simulator.backend import simulator_llm
from steps.chain import Chains, innermost
from steps.generation import GenerateBlueprints
from steps.interplay import Interplay
from steps.recombination import MergeInstructions
from steps.review import ReviewBlueprints
from tests.domains.framework.toy import build_toy
from tests.simulator.test_human_agent import make_blueprint, sim_responder

TOY_SPEC = "tests.domains.framework.toy:build_toy"
CONTEXT = Context(user_id="u", records={}, chain=[], scenarios=[], persona="p")


class Endpoint:
    """A responder whose endpoint goes down after `answers` replies (the connection is refused)."""

    def __init__(self, answer, answers: int = 0) -> None:
        self.answer, self.answers, self.calls = answer, answers, 0

    def __call__(self, messages, tools, *, seed, row_id):
        self.calls += 1
        if self.calls > self.answers:
            raise ConnectionRefusedError(111, "Connection refused")
        return self.answer(messages, tools, seed=seed, row_id=row_id)


def llm(role: str, endpoint: Endpoint):
    """Each role on an endpoint of its own (`simulator:ROLE`): one going down says nothing of the others."""
    cfg = RoleConfig(backend=f"simulator:{role}", max_retries=1, retry_base_s=0.001, outage_wait_s=0)
    return simulator_llm(role, cfg, responder=endpoint)


def review_json(messages, tools, *, seed, row_id):
    return ChatReply(content=json.dumps({"scores": {k: True for k in RUBRIC}, "feedback": "ok"}))


def generation():
    step = GenerateBlueprints(stage_key="generate.r0", round=0)
    return step, TaskRecord(task_id="t-0", domain="toy", seed=1, context=CONTEXT), {"generator": Endpoint(review_json)}


def review():
    blueprint, _ = make_blueprint(build_toy(), 0)
    record = TaskRecord(task_id="t-0", domain="toy", seed=1, context=CONTEXT,
                        rounds=[RoundRecord(round=0, blueprint=blueprint, stage_reached="execution")])
    # two reviewers answer, the third's endpoint is down: still no vote is recorded
    endpoints = {"reviewer_0": Endpoint(review_json, 9), "reviewer_1": Endpoint(review_json, 9),
                 "reviewer_2": Endpoint(review_json)}
    return ReviewBlueprints(stage_key="review.r0", round=0), record, endpoints


def recombination():
    parents = [make_blueprint(build_toy(), i)[0] for i in (0, 1)]
    record = TaskRecord(task_id="f-merged", domain="toy", seed=1, kind="recombined", context=CONTEXT,
                        parent_blueprints=parents)
    return MergeInstructions(stage_key="merge"), record, {"generator": Endpoint(review_json)}


def interplay():
    blueprint, gold = make_blueprint(build_toy(), 0)
    record = TaskRecord(task_id="t-0", domain="toy", seed=7, context=CONTEXT, status="validated",
                        rounds=[RoundRecord(round=0, blueprint=blueprint, passed=True, gold_fingerprint=gold)])
    sim = sim_responder()
    # the conversation is under way when the agent's endpoint goes down
    endpoints = {"human": Endpoint(sim, 99), "agent": Endpoint(sim, 2), "judge": Endpoint(sim, 99)}
    return Interplay(stage_key="interplay.a1", attempt=1), record, endpoints


@pytest.fixture(autouse=True)
def fresh_health():
    reset_health()
    yield
    reset_health()


@pytest.mark.parametrize("stage", [generation, review, recombination, interplay])
def test_every_stage_lets_an_endpoint_down_through(stage):
    step, record, endpoints = stage()
    step.bind(BuildConfig(domain=TOY_SPEC), build_toy(), {role: llm(role, e) for role, e in endpoints.items()})
    before = record.model_copy(deep=True)
    with pytest.raises(EndpointDown) as info:
        asyncio.run(step.advance(record))
    assert info.value.role in endpoints and info.value.endpoint == f"simulator:{info.value.role}"
    assert "ConnectionRefusedError" in info.value.error
    assert record == before, "the task is left as it came: no fate"


def test_the_chains_stop_at_an_outage_and_a_resume_redoes_what_it_cost(tmp_path):
    config = BuildConfig(domain=TOY_SPEC, tasks=6, phase=1,
                         blueprints={"feedback_rounds": 0, "recombine_share": 0.0})
    run = tmp_path / "run"
    prepare_run(run, config)
    reviewers = {f"reviewer_{i}": Endpoint(review_json, 999) for i in range(3)}

    def llms(generator: Endpoint) -> dict:
        return {"generator": llm("generator", generator), **{r: llm(r, e) for r, e in reviewers.items()}}

    journal = Journal(run)
    try:
        with pytest.raises(BaseException) as info:  # the task group's error, holding the outage
            asyncio.run(Chains(config, build_toy(), journal, llms(Endpoint(sim_responder(), 2))).run(0, 6))
        down = innermost(info.value, EndpointDown)
        assert down is not None and down.role == "generator"
        cost = journal.counts()
        assert cost.get("generate.r0", 0) <= 2, "only the answered calls have a result"
        assert all("llm_failure" not in text for text in journal.records()), "no fate from the outage"

        reset_health()
        healthy = Endpoint(sim_responder(), 999)
        asyncio.run(Chains(config, build_toy(), journal, llms(healthy)).run(0, 6))
        assert journal.counts()["generate.r0"] == 6
        resumed = list(journal.records())
    finally:
        journal.close()

    # the same run without an outage: the same records, for the same generator calls in all
    prepare_run(tmp_path / "healthy", config)
    journal = Journal(tmp_path / "healthy")
    try:
        uninterrupted = Endpoint(sim_responder(), 999)
        asyncio.run(Chains(config, build_toy(), journal, llms(uninterrupted)).run(0, 6))
        assert [strip_usage(r) for r in journal.records()] == [strip_usage(r) for r in resumed]
    finally:
        journal.close()
    assert healthy.calls == uninterrupted.calls - 2, "what was answered before the outage is not redone"


def strip_usage(record_json: str) -> dict:
    """A record without its token and retry counts (the outage's failed attempts are counted)."""
    record = json.loads(record_json)
    record.pop("usage")
    return record
