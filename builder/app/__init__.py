"""The application floor: what uses the stages in `steps/`.

The command line (`cli`, `cli_*`, `console`), the build (`build`: run folder, pipeline, outputs,
curation, export), the distilabel pipeline assembly (`pipeline`, `ray_session`), the progress
display, and the run's outputs and funnel (`outputs`, `stats`, `llm_stats`). Nothing outside
this package imports it: the stages and everything they use live below it in `builder/`.
"""
