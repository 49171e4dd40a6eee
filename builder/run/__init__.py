"""The run folder: resolved config, row-level journal, outputs."""
