"""The run's journal service (the Ray actor's class, here in-process): what it serves, and chains
that go on only once their journal has stored each stage give a local run's records."""

from __future__ import annotations

import asyncio

from builder.config import parse_config
from builder.llm.errors import EndpointDown
from builder.run.folder import ROLES_ENV, prepare_run
from builder.run.journal_service import JournalService
from builder.run.outage import read_outages
from steps.chain import run_shard
from tests.steps.test_chain import config, records


def test_the_service_serves_the_config_with_the_roles_it_was_given_and_takes_notes(tmp_path, monkeypatch):
    role = {"backend": "openai:m", "base_url": "http://u:SECRET@127.0.0.1:9/v1"}
    given = parse_config({"roles": {"agent": role}})
    monkeypatch.delenv(ROLES_ENV, raising=False)  # prepare_run sets it: gone again after the test
    prepare_run(tmp_path / "run", given)
    monkeypatch.delenv(ROLES_ENV)  # a node other than the build's has no such variable
    service = JournalService(str(tmp_path / "run"))
    try:
        assert service.config().roles.agent.base_url == "http://***@127.0.0.1:9/v1"
        service.give_roles(given.roles.model_dump_json())
        assert service.config().roles.agent == given.roles.agent

        service.put("generate.r0", "t1", '{"a": 1}')
        service.put("generate.r0", "t1", '{"a": 2}')  # a second write of a stage keeps the first
        assert service.checkpoint("t1") == ("generate.r0", '{"a": 1}') and service.checkpoint("t2") is None
        assert service.journal_path() == str(tmp_path / "run" / ".state" / "journal.sqlite")

        service.note_outage("http://127.0.0.1:9/v1", "agent", 12.0, "ConnectionRefusedError")
        assert [(d.endpoint, d.role) for d in read_outages(tmp_path / "run")] == [("http://127.0.0.1:9/v1", "agent")]
    finally:
        service.close()


class AwaitedJournal:
    """The service as a step on another node sees it: every put is stored once awaited."""

    def __init__(self, service: JournalService):
        self.service, self.path, self.pending = service, service._journal.path, 0

    def put(self, stage: str, task_id: str, record: str):
        self.pending += 1

        async def stored() -> None:
            await asyncio.sleep(0)  # the chain waits for the reply
            self.service.put(stage, task_id, record)
            self.pending -= 1

        return stored()

    def checkpoint(self, task_id: str):
        return self.service.checkpoint(task_id)

    def close(self) -> None:
        assert self.pending == 0, "every put was awaited before the chains ended"


class ServedRun:
    def __init__(self, run_dir):
        self.service = JournalService(str(run_dir))

    def config(self):
        return self.service.config()

    def journal(self):
        return AwaitedJournal(self.service)

    def note_outage(self, down: EndpointDown) -> None:
        self.service.note_outage(down.endpoint, down.role, down.down_s, down.error)


def test_chains_on_a_served_journal_give_the_local_records(tmp_path):
    cfg = config()
    local, served = tmp_path / "local", tmp_path / "served"
    for run in (local, served):
        prepare_run(run, cfg)
    run_shard(local, 0, cfg.tasks)
    access = ServedRun(served)
    try:
        assert run_shard(access, 0, cfg.tasks) == cfg.tasks
    finally:
        access.service.close()
    assert records(served) == records(local) and records(local)
