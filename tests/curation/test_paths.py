"""Run folders are paths, never patterns: curation reads exactly its own run's files, whatever
characters the folder's name holds, and whatever folders lie next to it."""

from __future__ import annotations

import pytest

from builder.config import BuildConfig
from builder.curation.run import curate
from builder.app.outputs import write_outputs
from tests.curation.runs import attempt, kept, removed, sentence, task

NAMES = ["ru*", "r?n", "r[u]n", "r[!x]n", "{run,other}", "it's a run", "~run", "**"]


@pytest.mark.parametrize("name", NAMES)
def test_curation_reads_only_its_own_folder(tmp_path, name):
    mine = [task("t1", sentence(1), attempts=[attempt(1)]), task("t2", sentence(2), attempts=[attempt(1)])]
    # a sibling every pattern above would also match, holding the same instructions: read with
    # this run's, its rows would make them duplicates
    sibling = [task("t0", sentence(1), attempts=[attempt(1)]), task("t00", sentence(2), attempts=[attempt(1)])]
    for folder, records in (("run", sibling), ("other", sibling), (name, mine)):
        (tmp_path / folder).mkdir(exist_ok=True)
        write_outputs(tmp_path / folder, records)
    result = curate(tmp_path / name, BuildConfig(domain="toy"))
    assert kept(tmp_path / name) == [("t1", 1), ("t2", 1)]
    assert set(removed(tmp_path / name)) == set()
    assert result.trajectories["candidates"].rows_in == 2
