"""Curation: which of a run's verified conversations and validated blueprints are published.

DuckDB SQL over DIR/trajectories.parquet and DIR/blueprints.parquet, in stages, each counted
(rows in, rows out, rows removed by reason):

    trajectories  candidates -> exact_duplicates -> near_duplicates -> filters -> balance -> split
    blueprints    validated  -> exact_duplicates -> near_duplicates                      -> split

`builder.curation.run.curate` runs them and writes the selection to DIR/.state/curation/
(`builder.curation.selection` reads it for the export). Deduplication decides per task, so a
task's blueprint and its conversations share one fate; the split decides per family. The
settings are `builder.curation.config.CurationConfig` (the `curation:` section of the config).

Nothing is imported here: `builder.config` imports the config module, and the rest needs
`builder.config`.
"""
