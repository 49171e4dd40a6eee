"""builder: verified multi-turn tool-use conversations (APIGen-MT), published to the Hub.

The application, the upper floor of the house. It stands on `domains/` (the ground floor, which
imports nothing from here) and holds both what the stages in `steps/` use (records, the LLM layer
and its backend registry, prompts, the conversation protocol) and what uses the stages (the
command line, the build, the pipeline, curation, export, cards, publishing). The offline simulator
(the `simulator` subpackage) is a test double at the edge: production reaches it only by name,
through the backend registry (`llm/registry.py`) and the command that serves it over HTTP.
"""

import warnings

__version__ = "0.1.0"

# distilabel 1.5.3 declares a `Field(default=None)` inside a union, which pydantic >= 2.12 warns
# about at import, once per process: noise on every command, and nothing a user can act on
warnings.filterwarnings("ignore", message=r"The 'default' attribute with value None was provided to the `Field\(\)`")
