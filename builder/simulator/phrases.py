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

Nothing here decides anything; `human.py`, `agent.py` and `judge.py` do.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from builder.conversation_protocol import (
    MALFORMED_KEY,
    STOP,
    TRANSFER,
    has_stop,
    has_transfer,
    is_transfer_tool,
    strip_markers,
)

__all__ = [
    "STOP", "TRANSFER", "MALFORMED_KEY", "join_words", "json_spans", "pairs_dict", "split_clause", "mentions_phrase", "ToolInfo", "tool_infos", "guess_kind", "humanize",
    "dehumanize", "render_value", "render_args", "render_clause", "render_instruction",
    "question_indexes", "Pair", "parse_pairs", "Clause", "Instruction", "parse_instruction",
    "ParsedRequest", "parse_requests", "same_value", "args_match", "canonical_value",
    "has_stop", "has_transfer", "strip_markers", "is_confirmation_request", "is_identity_request",
    "is_done_report", "is_failure_report", "is_transfer_notice", "says_dont_know",
]


# ---------------------------------------------------------------------------------------------
# Tools, as any schema source describes them
# ---------------------------------------------------------------------------------------------
READ_VERBS = (
    "get", "find", "list", "search", "lookup", "look", "check", "calculate", "compute", "query",
    "fetch", "read", "show", "view", "retrieve", "think", "count", "describe", "estimate", "browse",
)


@dataclass(frozen=True)
class ToolInfo:
    """What the phrasebook needs of a tool: name, description, parameters, kind."""

    name: str
    description: str = ""
    params: Mapping[str, dict] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    kind: str = "read"  # read | write
    returns_scalar: bool | None = None  # known only from a ToolSpec's return type

    @property
    def phrase(self) -> str:
        return humanize(self.name)

    @property
    def is_transfer(self) -> bool:
        return is_transfer_tool(self.name)

    def enum(self, param: str) -> list[Any] | None:
        schema = self.params.get(param) or {}
        if "enum" in schema:
            return list(schema["enum"])
        for alt in schema.get("anyOf", []) or []:
            if isinstance(alt, dict) and "enum" in alt:
                return list(alt["enum"])
        return None


def guess_kind(name: str, description: str = "") -> str:
    """`read` or `write` from a tool's name, as an agent that sees only schemas would guess.

    Transfers count as reads: they hand the conversation over and change no record.
    """
    first = name.lower().split("_", 1)[0]
    if first in READ_VERBS or is_transfer_tool(name):
        return "read"
    return "write"


def _from_schema(name: str | None, schema: Any) -> ToolInfo:
    kind = getattr(schema, "kind", None)
    if hasattr(schema, "parameters_schema"):  # a domains.framework ToolSpec
        params_schema = schema.parameters_schema
        returns = getattr(schema, "returns", None)
        return ToolInfo(
            name=schema.name, description=schema.description,
            params=dict(params_schema.get("properties", {})),
            required=tuple(params_schema.get("required", [])), kind=kind or "read",
            returns_scalar=returns in (str, int, float, bool) if returns is not None else None,
        )
    if not isinstance(schema, Mapping):
        raise TypeError(f"cannot read a tool schema from {type(schema).__name__}")
    kind = schema.get("kind") or schema.get("x-kind")
    fn = schema.get("function") if isinstance(schema.get("function"), Mapping) else schema
    kind = kind or fn.get("kind") or fn.get("x-kind")
    tool_name = fn.get("name") or name or ""
    if "parameters" in fn:
        params_schema = fn.get("parameters") or {}
    elif "properties" in fn or fn.get("type") == "object":  # {name: parameters schema}
        params_schema = fn
    else:
        params_schema = {}
    return ToolInfo(
        name=tool_name, description=fn.get("description") or "",
        params=dict(params_schema.get("properties", {}) or {}),
        required=tuple(params_schema.get("required", []) or []),
        kind=kind if kind in ("read", "write") else guess_kind(tool_name, fn.get("description") or ""),
    )


def tool_infos(tools: Any) -> dict[str, ToolInfo]:
    """Normalise tools given as {name: ToolSpec | OpenAI schema | parameters schema}, or a list
    of OpenAI schemas.

    Kinds come from the source when it says (`ToolSpec.kind`, a `"kind"` key), else are guessed
    from the name (`guess_kind`).
    """
    out: dict[str, ToolInfo] = {}
    if tools is None:
        return out
    if isinstance(tools, Mapping):
        items: Iterable[tuple[str | None, Any]] = tools.items()
    else:
        items = ((None, t) for t in tools)
    for name, schema in items:
        if isinstance(schema, ToolInfo):
            info = schema
        else:
            info = _from_schema(name, schema)
        if info.name:
            out[info.name] = info
    return out


# ---------------------------------------------------------------------------------------------
# Words and values
# ---------------------------------------------------------------------------------------------
def humanize(name: str) -> str:
    """`cancel_pending_order` -> "cancel pending order"."""
    return " ".join(name.replace("-", " ").replace("_", " ").split()).strip()


def dehumanize(words: str) -> str:
    """"order id" -> `order_id`."""
    return "_".join(words.lower().split())


def render_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def canonical_value(value: Any) -> str:
    """A comparable form: lists as sorted multisets, integral floats as ints, strings stripped."""

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, (int, float)):
            return round(v, 6)
        if isinstance(v, str):
            return v.strip()
        if isinstance(v, Mapping):
            return {str(k): norm(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
        return v

    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


def same_value(a: Any, b: Any) -> bool:
    return canonical_value(a) == canonical_value(b)


def args_match(wanted: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    """Every wanted argument is given with the same value (extra given arguments are fine)."""
    return all(k in given and same_value(v, given[k]) for k, v in wanted.items())


def join_words(parts: Sequence[str]) -> str:
    """'a', 'b' and 'c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def arg_words(name: str) -> str:
    """An argument's name as written before its value: humanised, unless its last word would be
    read as a connector ("travel_to" stays as is, "travel to" would parse as "travel")."""
    words = humanize(name)
    return name if words.split()[-1].lower() in _TRAILING else words


def render_args(args: Mapping[str, Any]) -> str:
    """`order id "#W1", item ids ["1"] and reason "no longer needed"`."""
    return join_words([f"{arg_words(k)} {render_value(v)}" for k, v in args.items()])


def render_clause(tool: str, args: Mapping[str, Any]) -> str:
    """"cancel pending order with order id "#W1" and reason "no longer needed"."""
    phrase = humanize(tool)
    return f"{phrase} with {render_args(args)}" if args else phrase


# ---------------------------------------------------------------------------------------------
# Pairs: `name "value"` in free text
# ---------------------------------------------------------------------------------------------
_DECODER = json.JSONDecoder()
_VALUE_START = re.compile(r'["\[{]|(?<![\w.])-?\d|(?<!\w)(?:true|false|null)(?!\w)')
_KEY_RUN = re.compile(r"([A-Za-z][A-Za-z0-9_ ]*?)\s*[:=]?\s*$")
_TRAILING = {"is", "are", "was", "were", "be", "as", "equals", "equal", "to"}
_SEPARATORS = {"with", "and", "my", "your", "also", "plus", "then", "is", "are", "please", "using"}


@dataclass(frozen=True)
class Pair:
    key: str  # underscore form: "order_id"
    value: Any
    start: int  # where the key's words start
    end: int  # just after the value
    value_start: int = -1  # where the value starts


def _key_from_prefix(prefix: str, vocabulary: set[str] | None) -> tuple[str | None, int]:
    m = _KEY_RUN.search(prefix)
    if not m:
        return None, len(prefix)
    words = m.group(1).lower().split()
    while words and words[-1] in _TRAILING:
        words.pop()
    if not words:
        return None, len(prefix)
    if vocabulary:  # the longest suffix of the words that names a known argument (any case: `fuelAmount`)
        known = {v.lower(): v for v in vocabulary}
        for i in range(len(words)):
            candidate = "_".join(words[i:])
            if candidate in known:
                return known[candidate], m.start(1)
    cut = 0
    for i, w in enumerate(words):
        if w in _SEPARATORS:
            cut = i + 1
    words = words[cut:]
    if not words:
        return None, len(prefix)
    return "_".join(words), m.start(1)


def parse_pairs(text: str, vocabulary: Iterable[str] | None = None, start: int = 0, end: int | None = None) -> list[Pair]:
    """Every `name <json value>` in `text[start:end]`, left to right.

    With a `vocabulary` (argument names), a name is the longest run of words before the value that
    spells a known argument; without, the words after the last connector ("with", "and", "my",
    "is", ...). Values are any JSON; text inside a value is never read as another pair.
    """
    vocab = set(vocabulary) if vocabulary is not None else None
    end = len(text) if end is None else end
    pairs: list[Pair] = []
    prev = start
    i = start
    while i < end:
        m = _VALUE_START.search(text, i, end)
        if not m:
            break
        pos = m.start()
        try:
            value, stop = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError:
            i = pos + 1
            continue
        if stop > end:
            break
        key, key_start = _key_from_prefix(text[prev:pos], vocab)
        if key is not None and (vocab is None or key in vocab):
            pairs.append(Pair(key=key, value=value, start=prev + key_start, end=stop, value_start=pos))
        prev = i = stop
    return pairs


def json_spans(text: str) -> list[tuple[int, int, Any]]:
    """(start, end, value) of every JSON string, list or object in the text, left to right."""
    spans = []
    i = 0
    while True:
        m = _VALUE_START.search(text, i)
        if not m:
            return spans
        try:
            value, stop = _DECODER.raw_decode(text, m.start())
        except json.JSONDecodeError:
            i = m.start() + 1
            continue
        if isinstance(value, (str, list, dict)):
            spans.append((m.start(), stop, value))
        i = stop


def pairs_dict(pairs: Iterable[Pair]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in pairs:
        out[p.key] = p.value
    return out


# ---------------------------------------------------------------------------------------------
# Instructions (generator -> human)
# ---------------------------------------------------------------------------------------------
_CONNECTORS = ["You want to", "Then you want to", "After that, you want to", "Next, you want to"]
_LAST_CONNECTOR = "Finally, you want to"
_QUESTION_LEAD = "You also want the agent to"
_QUESTION_TAIL = "and tell you the result"
_REQUEST_LINE = re.compile(r"^(?:(?:then|next|finally|after that),?\s+)?you want to\s+(?P<clause>.+?)\s*\.?\s*$", re.IGNORECASE)
_QUESTION_LINE = re.compile(
    r"^you (?:also )?want the agent to\s+(?P<clause>.+?)\s+and tell you the result\s*\.?\s*$", re.IGNORECASE
)
_IDENTITY_LINE = re.compile(r"^your\s", re.IGNORECASE)
_PERSONA_LINE = re.compile(r"^you are\s+(?P<persona>.+?)\s*$", re.IGNORECASE)


def _user_known(value: Any, identity: Mapping[str, Any]) -> bool:
    return any(same_value(value, v) for v in identity.values())


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [x for v in value.values() for x in _scalars(v)]
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _scalars(v)]
    return [value]


def question_indexes(actions: Sequence[Any], outputs: Sequence[str], tools: Mapping[str, ToolInfo],
                     identity: Mapping[str, Any]) -> list[int]:
    """Which read actions the user asks about (whose answers are the outputs): the default rule.

    None when the task has no outputs. Otherwise every read that is neither the agent's own
    bookkeeping — authentication (all arguments are identity facts), the user's profile (only
    `user_id`) — nor a lookup of something a later action acts on (one of its argument values
    appears, at any depth, in a later action's arguments). With more such reads than outputs,
    the ones kept are, in turn: not lookups or listings (only `*_id` arguments, or none), known to
    return a scalar (when the tool says, e.g. a `ToolSpec`), with the fewest arguments (a
    computation over one expression rather than a search).
    Generators that know which reads the outputs come from should pass them instead
    (`render_instruction(..., questions=...)`).
    """
    if not outputs:
        return []
    out = []
    for i, action in enumerate(actions):
        info = tools.get(action.name)
        if info is None or info.kind != "read" or info.is_transfer:
            continue
        args = dict(action.arguments)
        if args and all(_user_known(v, identity) or k == "user_id" for k, v in args.items()):
            continue
        later = [x for a in actions[i + 1:] for x in _scalars(a.arguments)]
        if any(same_value(v, w) for v in _scalars(args) for w in later):
            continue
        out.append(i)
    k = len(outputs)
    for i in list(out):  # lookups and listings lead to the figures: drop them first
        if len(out) <= k:
            break
        if all(name.endswith(("_id", "_ids")) for name in actions[i].arguments):
            out.remove(i)
    known = [i for i in out if tools[actions[i].name].returns_scalar is not None]
    if len(out) > k and known:
        for i in list(out):
            if len(out) <= k:
                break
            if tools[actions[i].name].returns_scalar is False:
                out.remove(i)
    if len(out) > k:
        keep = sorted(out, key=lambda i: len(actions[i].arguments))[:k]
        out = [i for i in out if i in keep]
    return out


def render_instruction(
    identity: Mapping[str, Any],
    persona: str,
    actions: Sequence[Any],
    outputs: Sequence[str],
    tools: Any,
    omit: Iterable[str] = frozenset(),
    *,
    questions: Iterable[int] | None = None,
) -> str:
    """The instruction a generator writes for a simulated user, in the second person.

    - `identity`: facts the user can give to be identified (`{"email": ...}`, or first/last name
      and zip, or a user id); `persona`: how they talk.
    - `actions`: the blueprint's gold actions (`Action`s or objects with `.name`/`.arguments`);
      every write becomes a request with its argument values, in order; a `transfer` tool
      becomes a request to be transferred, last (a transfer ends the conversation) and without
      arguments (the agent writes its own summary).
    - `outputs`: facts the agent must tell; when there are any, the reads chosen by
      `question_indexes` (or the explicit `questions`) become questions whose answers they are.
      The outputs themselves are never written in (the user does not know the answers).
    - `tools`: the domain's tools (see `tool_infos`); `omit`: argument names left out on purpose
      (the "vague instruction" mistake).

    Arguments named `user_id` are left out when the user identifies with something else: the
    agent learns the id by authenticating.
    """
    infos = tool_infos(tools)
    omit = set(omit)
    lines: list[str] = []
    if persona:
        p = persona.strip().rstrip(".")
        if len(p) > 1 and (p[1].islower() or p[1] == " "):
            p = p[0].lower() + p[1:]
        lines.append(f"You are {p}.")
    if identity:
        facts = [f"your {humanize(k)} is {render_value(v)}" for k, v in identity.items() if k not in omit]
        if facts:
            text = join_words(facts)
            lines.append(text[0].upper() + text[1:] + ".")
    qset = set(questions) if questions is not None else set(question_indexes(actions, outputs, infos, identity))
    writes = [i for i, a in enumerate(actions)
              if infos.get(a.name) is not None and infos[a.name].kind == "write" and not infos[a.name].is_transfer]
    transfers = [i for i, a in enumerate(actions) if infos.get(a.name) is not None and infos[a.name].is_transfer]
    asked = [i for i in range(len(actions)) if i in qset and i not in writes and i not in transfers]

    def shown(a: Any) -> dict[str, Any]:
        return {k: v for k, v in a.arguments.items()
                if k not in omit and not (k == "user_id" and "user_id" not in identity)}

    for n, i in enumerate(writes):
        if n == 0:
            lead = _CONNECTORS[0]
        elif n == len(writes) - 1 and n >= 2:
            lead = _LAST_CONNECTOR
        else:
            lead = _CONNECTORS[1 + (n - 1) % (len(_CONNECTORS) - 1)]
        lines.append(f"{lead} {render_clause(actions[i].name, shown(actions[i]))}.")
    for i in asked:
        lines.append(f"{_QUESTION_LEAD} {render_clause(actions[i].name, shown(actions[i]))} {_QUESTION_TAIL}.")
    # a transfer ends the conversation: it comes last, and the agent writes its own summary
    for i in transfers[:1]:
        lead = _CONNECTORS[0] if not writes and not asked else _LAST_CONNECTOR
        lines.append(f"{lead} {humanize(actions[i].name)}.")
    if writes or asked or transfers:
        lines.append("You do not know anything that is not written here; if you are asked for it, say so.")
    return "\n".join(lines)


@dataclass(frozen=True)
class Clause:
    """One thing the user wants: `phrase` (humanised tool name as written) with arguments."""

    kind: str  # request | question
    phrase: str
    args: dict[str, Any]
    text: str  # the clause as written, e.g. 'cancel pending order with order id "#W1"'
    index: int = 0  # position among the instruction's clauses


@dataclass(frozen=True)
class Instruction:
    persona: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    clauses: tuple[Clause, ...] = ()

    @property
    def requests(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "request"]

    @property
    def questions(self) -> list[Clause]:
        return [c for c in self.clauses if c.kind == "question"]

    def known_values(self) -> list[Any]:
        out = list(self.identity.values())
        for c in self.clauses:
            out += list(c.args.values())
        return out


def split_clause(text: str) -> tuple[str, dict[str, Any]]:
    """'cancel pending order with order id "#W1"' -> ("cancel pending order", {"order_id": "#W1"})."""
    m = re.search(r"\s+with\s+", text)
    phrase = text[: m.start()] if m else text
    pairs = parse_pairs(text, start=m.start() if m else len(text))
    return " ".join(phrase.lower().split()), pairs_dict(pairs)


def parse_instruction(text: str) -> Instruction:
    """Identity, persona, requests and questions from an instruction written by `render_instruction`.

    Lines it does not understand are ignored (a human LLM would read them as colour).
    """
    persona = ""
    identity: dict[str, Any] = {}
    clauses: list[Clause] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        q = _QUESTION_LINE.match(line)
        if q:
            phrase, args = split_clause(q.group("clause"))
            clauses.append(Clause("question", phrase, args, q.group("clause"), len(clauses)))
            continue
        r = _REQUEST_LINE.match(line)
        if r:
            phrase, args = split_clause(r.group("clause"))
            clauses.append(Clause("request", phrase, args, r.group("clause"), len(clauses)))
            continue
        if _IDENTITY_LINE.match(line):
            identity.update(pairs_dict(parse_pairs(line)))
            continue
        p = _PERSONA_LINE.match(line)
        if p and not persona:
            persona = p.group("persona").rstrip(".")
    return Instruction(persona=persona, identity=identity, clauses=tuple(clauses))


# ---------------------------------------------------------------------------------------------
# Requests in user messages (what the agent reads)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParsedRequest:
    tool: str
    args: dict[str, Any]
    start: int
    end: int


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w])" + r"[\s_]+".join(words) + r"(?![\w])", re.IGNORECASE)


def parse_requests(text: str, tools: Any) -> list[ParsedRequest]:
    """Tool requests in a message: each humanised tool name found, with the pairs after it.

    Overlapping names resolve to the longest (so "get order details" beats "get order"). The
    arguments of a request are the pairs between its name and the next request's name, keeping
    only the tool's own parameters.
    """
    infos = tool_infos(tools)
    if not text or not infos:
        return []
    quoted = [(a, b) for a, b, _ in json_spans(text)]
    arg_names = {humanize(p).lower() for info in infos.values() for p in info.params}
    hits: list[tuple[int, int, str]] = []
    for name, info in infos.items():
        longer = [_phrase_pattern(a) for a in arg_names if a.startswith(info.phrase.lower() + " ")]
        for m in _phrase_pattern(info.phrase).finditer(text):
            if any(a <= m.start() < b for a, b in quoted):  # a tool's name inside a value is no request
                continue
            if any(p.match(text, m.start()) for p in longer):  # the start of an argument's name ("comment content")
                continue
            hits.append((m.start(), m.end(), name))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    chosen: list[tuple[int, int, str]] = []
    for h in hits:
        if chosen and h[0] < chosen[-1][1]:
            continue
        chosen.append(h)
    out = []
    for n, (s, e, name) in enumerate(chosen):
        stop = chosen[n + 1][0] if n + 1 < len(chosen) else len(text)
        params = set(infos[name].params)
        args = pairs_dict(parse_pairs(text, vocabulary=params, start=e, end=stop)) if params else {}
        out.append(ParsedRequest(tool=name, args=args, start=s, end=stop))
    return out


# ---------------------------------------------------------------------------------------------
# Cues: what a message is doing
# ---------------------------------------------------------------------------------------------
_CONFIRM_RE = re.compile(
    r"\b(please confirm|confirm|shall i|should i|do you want me to|would you like me to|go ahead|proceed)\b.*\?|\(yes/no\)",
    re.IGNORECASE | re.DOTALL,
)
_IDENTITY_RE = re.compile(r"\b(verify|identify|authenticate|confirm your identity|locate your account|find your account)\b", re.IGNORECASE)
_DONE_RE = re.compile(
    r"\b(done|completed|successfully|has been|have been|went through|is now|the result|here is|here's)\b", re.IGNORECASE
)
_FAIL_RE = re.compile(
    r"\b(could not|couldn't|cannot|can't|can not|unable|not able|was refused|failed|sorry)\b", re.IGNORECASE
)
_TRANSFER_NOTICE_RE = re.compile(
    r"\b(transferr?(ed|ing)?)\b.{0,60}\b(human|representative|specialist|colleague|agent)\b", re.IGNORECASE | re.DOTALL
)
_DONT_KNOW_RE = re.compile(
    r"\b(don'?t know|do not know|not sure|no idea|don'?t have|do not have|don'?t remember|can'?t remember)\b",
    re.IGNORECASE,
)


def nudge_value(args: dict[str, Any], rng: random.Random, exclude: frozenset[str] = frozenset()) -> bool:
    """Change one argument in place, as a slip would: mistype the last digit of an identifier,
    or else move a number by one. Returns False when there is nothing of that kind to change."""
    ids = [k for k, v in args.items() if isinstance(v, str) and k not in exclude and re.search(r"\d", v)]
    if ids:
        k = rng.choice(ids)
        v = args[k]
        pos = max(i for i, ch in enumerate(v) if ch.isdigit())
        args[k] = v[:pos] + str((int(v[pos]) + 1 + rng.randrange(8)) % 10) + v[pos + 1:]
        return True
    nums = [k for k, v in args.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if nums:
        k = rng.choice(nums)
        args[k] = args[k] + 1
        return True
    return False


def is_confirmation_request(text: str | None) -> bool:
    return bool(text) and bool(_CONFIRM_RE.search(text))


def is_identity_request(text: str | None, identity_keys: Iterable[str] = ()) -> bool:
    if not text:
        return False
    if _IDENTITY_RE.search(text):
        return True
    low = text.lower()
    return "?" in text and not is_done_report(text) and any(humanize(k).lower() in low for k in identity_keys)


def is_done_report(text: str | None) -> bool:
    return bool(text) and bool(_DONE_RE.search(text))


def is_failure_report(text: str | None) -> bool:
    return bool(text) and bool(_FAIL_RE.search(text))


def is_transfer_notice(text: str | None) -> bool:
    return bool(text) and bool(_TRANSFER_NOTICE_RE.search(text))


def says_dont_know(text: str | None) -> bool:
    return bool(text) and bool(_DONT_KNOW_RE.search(text))


def mentions_phrase(text: str | None, phrase: str) -> bool:
    return bool(text) and bool(_phrase_pattern(phrase).search(text))
