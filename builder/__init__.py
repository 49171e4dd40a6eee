"""builder: verified multi-turn tool-use conversations (APIGen-MT), published to the Hub.

The application. It stands on `domains/` (the ground floor, which imports nothing from here) and
has two floors of its own, so that imports follow the data flow:
- what the stages in `steps/` use: the records (`records`), the build config (`config`), the LLM
  layer and its backend registry (`llm/`), the prompts (`prompts/`), the conversation protocol,
  and the run folder's state (`run/`: the folder, the journal, outage notes);
- what reads the stages' records: curation (`curation/`), the dataset export (`export/`), the
  cards (`cards/`) and publishing (`publish/`);
- and on top, what uses the stages: `app/` (the command line, the build, the pipeline assembly,
  progress, the run's outputs and funnel). Nothing below `app/` imports it or `steps/`
  (tests/test_layers.py checks both).
The offline simulator (the `simulator` subpackage) is a test double at the edge: production
reaches it only by name, through the backend registry (`llm/registry.py`) and the command that
serves it over HTTP (`app/cli_simulator.py`).
"""

import warnings

__version__ = "0.1.0"

# distilabel 1.5.3 declares a `Field(default=None)` inside a union, which pydantic >= 2.12 warns
# about at import, once per process: noise on every command, and nothing a user can act on
warnings.filterwarnings("ignore", message=r"The 'default' attribute with value None was provided to the `Field\(\)`")
