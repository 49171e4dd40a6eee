"""Opt-in: attribution with the judge on a real local model, over the hand-written transcripts of
`test_attribution.py` (the way real models write).

Run with: BUILDER_TEST_GGUF=/path/model.gguf pytest -m gguf tests/steps/test_attribution_gguf.py -s
A 1.5B model's judgement is weak; what is asked is that it answers with a verdict the pipeline can
use (no fallback to the structural signals) and that a customer who left while the agent waited
for its confirmation is blamed. `-s` prints each verdict with the judge's reason.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from builder.llm.config import RoleConfig
from builder.llm.factory import make_llm
from steps.attribution import judged_verdict
from tests.steps.test_attribution import AGENT_WRONG, BLUEPRINT, DRIFT, EARLY_STOP, GOLD, TOY

pytestmark = pytest.mark.gguf

GGUF = os.environ.get("BUILDER_TEST_GGUF", "")
if not GGUF or not os.path.isfile(GGUF):
    pytest.skip("set BUILDER_TEST_GGUF to a GGUF model file to run these", allow_module_level=True)
pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'builder[local]')")


@pytest.fixture(scope="module")
def judge():
    llm = make_llm("judge", RoleConfig(backend=f"llamacpp:{GGUF}", temperature=0.0, seed=0, max_tokens=160,
                                       timeout_s=3600, max_retries=0,
                                       backend_options={"n_ctx": 4096, "n_threads": os.cpu_count() or 2}))
    yield llm
    llm.unload()


@pytest.mark.parametrize("name,messages", [("early stop", EARLY_STOP), ("drift", DRIFT), ("agent's slip", AGENT_WRONG)])
def test_the_local_judge_gives_a_usable_verdict(judge, name, messages):
    verdict, blame = asyncio.run(judged_verdict(TOY, BLUEPRINT, GOLD, messages, "stop", judge, row_id=name, seed=0))
    print(f"\n{name}: {blame.model_dump_json()}")
    assert blame is not None and blame.source == "judge", blame
    if name == "early stop":
        assert blame.culprit in ("user", "both")
