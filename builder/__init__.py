"""builder: verified multi-turn tool-use conversations (APIGen-MT), published to the Hub."""

import warnings

__version__ = "0.1.0"

# distilabel 1.5.3 declares a `Field(default=None)` inside a union, which pydantic >= 2.12 warns
# about at import, once per process: noise on every command, and nothing a user can act on
warnings.filterwarnings("ignore", message=r"The 'default' attribute with value None was provided to the `Field\(\)`")
