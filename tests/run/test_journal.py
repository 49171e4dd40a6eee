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
