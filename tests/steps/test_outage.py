"""An endpoint that is down ends no row: every stage lets `EndpointDown` through, the step records
no fate and journals nothing for the rows it cost, notes the outage, and passes rows on untouched
from then on, so that a resumed build redoes exactly those rows."""

from __future__ import annotations

import json

import pytest

from builder.config import BuildConfig, InterplayConfig
from builder.llm.config import RoleConfig
from builder.llm.health import reset_health
from builder.llm.types import ChatReply
from builder.prompts.blueprints import RUBRIC
from builder.records import Context, RoundRecord, TaskRecord
from builder.run.folder import prepare_run
from builder.run.journal import Journal
from builder.run.outage import clear_outages, read_outages
from builder.simulator.backend import simulator_llm
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


def generation(run: str):
    step = GenerateBlueprints(run_dir=run, stage_key="generate.r0", round=0)
    return step, TaskRecord(task_id="t-0", domain="toy", seed=1, context=CONTEXT), {"generator": Endpoint(review_json)}


def review(run: str):
    blueprint, _ = make_blueprint(build_toy(), 0)
    record = TaskRecord(task_id="t-0", domain="toy", seed=1, context=CONTEXT,
                        rounds=[RoundRecord(round=0, blueprint=blueprint, stage_reached="execution")])
    # two reviewers answer, the third's endpoint is down: still no vote is recorded
    endpoints = {"reviewer_0": Endpoint(review_json, 9), "reviewer_1": Endpoint(review_json, 9),
                 "reviewer_2": Endpoint(review_json)}
    return ReviewBlueprints(run_dir=run, stage_key="review.r0", round=0), record, endpoints


def recombination(run: str):
    parents = [make_blueprint(build_toy(), i)[0] for i in (0, 1)]
    record = TaskRecord(task_id="f-merged", domain="toy", seed=1, kind="recombined", context=CONTEXT,
                        parent_blueprints=parents)
    return MergeInstructions(run_dir=run, stage_key="merge"), record, {"generator": Endpoint(review_json)}


def interplay(run: str):
    blueprint, gold = make_blueprint(build_toy(), 0)
    record = TaskRecord(task_id="t-0", domain="toy", seed=7, context=CONTEXT, status="validated",
                        rounds=[RoundRecord(round=0, blueprint=blueprint, passed=True, gold_fingerprint=gold)])
    sim = sim_responder()
    # the conversation is under way when the agent's endpoint goes down
    endpoints = {"human": Endpoint(sim, 99), "agent": Endpoint(sim, 2), "judge": Endpoint(sim, 99)}
    return Interplay(run_dir=run, stage_key="interplay.a1", attempt=1), record, endpoints


@pytest.fixture
def run_dir(tmp_path):
    reset_health()
    run = tmp_path / "run"
    prepare_run(run, BuildConfig(domain=TOY_SPEC, interplay=InterplayConfig(attempts=1)))
    yield run
    reset_health()


def process(step, endpoints: dict, record: TaskRecord) -> TaskRecord:
    step.load()
    try:
        step._llms = {role: llm(role, endpoint) for role, endpoint in endpoints.items()}
        (out,) = list(step.process([{"task_id": record.task_id, "record": record.model_dump_json()}]))
    finally:
        step.unload()
    return TaskRecord.model_validate_json(out[0]["record"])


@pytest.mark.parametrize("stage", [generation, review, recombination, interplay])
def test_an_endpoint_down_records_no_fate_and_stops_every_stage(run_dir, stage):
    step, record, endpoints = stage(str(run_dir))
    out = process(step, endpoints, record)
    assert out == record, "a row the outage cost must pass on as it came"
    assert Journal(run_dir).get(step.stage_key, record.task_id) is None, "nothing journalled: resume redoes it"
    (down,) = read_outages(run_dir)
    assert down.role in endpoints and down.endpoint == f"simulator:{down.role}"
    assert "ConnectionRefusedError" in down.error

    # from now on the stages pass rows on untouched, without a call, until the build is resumed
    healthy = {role: Endpoint(e.answer, 999) for role, e in endpoints.items()}
    reset_health()
    again, _, _ = stage(str(run_dir))
    assert process(again, healthy, record) == record
    assert sum(e.calls for e in healthy.values()) == 0

    clear_outages(run_dir)  # what the next build does first
    resumed = process(again, healthy, record)
    assert resumed != record and Journal(run_dir).get(step.stage_key, record.task_id) is not None
