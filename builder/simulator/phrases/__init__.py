"""The phrasebook: a small, reversible language shared by the simulated generator, human and agent.

The offline simulator has no model, so whatever one simulated role writes, another must be able
to read back — without ever seeing more than a real model would. This module is that language,
generic over any domain's tools (it only needs their JSON schemas):

- **Values** are written as JSON (`order id "#W1"`, `item ids ["1", "2"]`, `amount 12.5`), so
  they parse back exactly; argument names are written humanised (`order_id` -> "order id").
- **Instructions** (generator -> human): one fact per line, in the second person:
      You are a busy nurse who types in short bursts.
      Your email is "ana@example.com".
      You want to cancel pending order with order id "#W1" and reason "no longer needed".
      Then you want to ...
      You also want the agent to calculate with expression "54 + 12.5" and tell you the result.
  `parse_instruction` recovers identity facts, requests (writes) and questions (reads whose answer
  the user wants) from that text alone.
- **User messages** (human -> agent) state one request at a time as a sentence holding the
  humanised tool name and `argument "value"` pairs; `parse_requests` recovers tool + arguments
  using only the tool schemas (what a real agent sees).
- **Agent messages** (agent -> human) use the same pairs when proposing a write, so the human can
  check the proposal against what it wants, and a few fixed cue words ("Please confirm",
  "Done:", "I could not", "transferred") that are also what real agents tend to say.

Nothing here decides anything; `human.py`, `agent.py` and `judge.py` do. The modules: `tools`
(what a tool is to the phrasebook), `values` (words, values and pairs), `instructions`,
`requests` (what the agent reads in user messages) and `cues` (what a message is doing).
"""

from builder.simulator.phrases.cues import (
    is_confirmation_request, is_done_report, is_failure_report, is_identity_request, is_transfer_notice,
    mentions_phrase, nudge_value, says_dont_know,
)
from builder.simulator.phrases.instructions import (
    Clause, Instruction, parse_instruction, question_indexes, render_instruction, split_clause,
)
from builder.simulator.phrases.requests import ParsedRequest, parse_requests
from builder.simulator.phrases.tools import ToolInfo, guess_kind, tool_infos
from builder.simulator.phrases.values import (
    Pair, args_match, canonical_value, dehumanize, humanize, join_words, json_spans, pairs_dict, parse_pairs,
    render_args, render_clause, render_value, same_value,
)

__all__ = [
    "ToolInfo", "tool_infos", "guess_kind",
    "humanize", "dehumanize", "render_value", "canonical_value", "same_value", "args_match", "join_words",
    "render_args", "render_clause", "Pair", "parse_pairs", "json_spans", "pairs_dict",
    "render_instruction", "question_indexes", "Clause", "Instruction", "split_clause", "parse_instruction",
    "ParsedRequest", "parse_requests",
    "is_confirmation_request", "is_identity_request", "is_done_report", "is_failure_report",
    "is_transfer_notice", "says_dont_know", "mentions_phrase", "nudge_value",
]
