"""The run's journal: what a build's processes share through it."""

from builder.run.journal import Journal


def test_a_unit_is_claimed_once_per_build_and_claims_can_be_cleared(tmp_path):
    journal = Journal(tmp_path)
    try:
        assert journal.claim("b1", 0) and not journal.claim("b1", 0)
        assert journal.claim("b1", 3) and journal.claim("b2", 0), "another build claims afresh"
        journal.clear_claims()
        assert journal.claim("b1", 0)
    finally:
        journal.close()


def test_processes_opening_a_new_journal_at_once_all_get_it(tmp_path):
    """The build's replicas open the journal together; while one switches a new journal to WAL
    mode SQLite refuses the others at once ("database is locked"), so opening tries again."""
    import threading

    failures: list[BaseException] = []
    for round_ in range(20):  # the race is narrow: run it on twenty new journals
        run = tmp_path / f"run{round_}"
        start = threading.Barrier(8)
        opened: list[Journal] = []

        def open_it() -> None:
            start.wait()
            try:
                opened.append(Journal(run))
            except BaseException as exc:  # noqa: BLE001 - collected for the assertion
                failures.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for journal in opened:
            journal.close()
    assert not failures, failures
