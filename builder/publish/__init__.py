"""Versioned publishing of a run's dataset: one Hub commit with the card and every config's
Parquet files, then the tag vX.Y.Z (`builder publish`), or the same files in a folder (`--to-dir`).

Modules: `release` (version and repo id rules), `run_check` (is the run finished and
consistent), `contents` (the files of a release), `hub` (the Hub calls), `publisher` (the order).
"""
