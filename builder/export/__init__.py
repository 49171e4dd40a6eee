"""The curated dataset of a run, as a folder `datasets.load_dataset` reads: DIR/dataset/.

Three configs (see `builder.export.dataset`): `trajectories` (default; the APIGen-MT-5k format),
`messages` (OpenAI chat format for chat templates and TRL) and `blueprints` (the validated tasks).
The modules import `datasets` lazily enough that importing this package stays cheap.
"""

CONFIGS = ("trajectories", "messages", "blueprints")
DEFAULT_CONFIG = "trajectories"

__all__ = ["CONFIGS", "DEFAULT_CONFIG"]
