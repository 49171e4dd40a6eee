"""The run folder's Parquet files keep their schema whatever the records hold."""

from __future__ import annotations

import pyarrow.parquet as pq

from builder.run.folder import BLUEPRINTS, TRAJECTORIES
from builder.app.outputs import BLUEPRINT_SCHEMA, TRAJECTORY_SCHEMA, blueprint_rows, trajectory_rows, write_outputs
from tests.export.records import make_records


def test_every_row_field_is_a_schema_column_and_back():
    """A field added to the rows but not to the schema would be dropped silently by pyarrow."""
    records = make_records()
    assert {tuple(r) for r in blueprint_rows(records)} == {tuple(BLUEPRINT_SCHEMA.names)}
    assert {tuple(r) for r in trajectory_rows(records)} == {tuple(TRAJECTORY_SCHEMA.names)}


def test_a_run_without_attempts_still_has_every_column_typed(tmp_path):
    """A real small model can validate no blueprint: trajectories.parquet is then empty, not columnless."""
    records = [r for r in make_records() if r.status == "rejected"]
    for r in records:
        r.attempts = []
    write_outputs(tmp_path, records)
    assert pq.read_schema(tmp_path / TRAJECTORIES).remove_metadata() == TRAJECTORY_SCHEMA
    assert pq.read_table(tmp_path / TRAJECTORIES).num_rows == 0
    blueprints = pq.read_table(tmp_path / BLUEPRINTS)
    assert blueprints.schema.remove_metadata() == BLUEPRINT_SCHEMA and blueprints.num_rows > 0
    assert blueprints.column("family").type == BLUEPRINT_SCHEMA.field("family").type  # all null, still text


def test_no_records_at_all(tmp_path):
    write_outputs(tmp_path, [])
    assert pq.read_schema(tmp_path / BLUEPRINTS).remove_metadata() == BLUEPRINT_SCHEMA
    assert pq.read_schema(tmp_path / TRAJECTORIES).remove_metadata() == TRAJECTORY_SCHEMA
