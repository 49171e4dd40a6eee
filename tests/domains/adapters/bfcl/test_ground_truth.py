"""BFCL's own multi-turn ground truth, replayed on this adapter and checked against BFCL itself.

Each entry's `initial_config` becomes a world (test-only: entries never become sampling
worlds); its ground-truth calls run through our environment, and, side by side, directly on
fresh BFCL instances. Results and final states must be the same, and no read may change the
live state. The one kind of entry allowed to differ is one whose ground truth breaks BFCL's own
function doc (e.g. a string where the doc declares an integer): our schema validation refuses
that call, which this test checks is right.
"""

import ast
import collections
import copy
import json
import re
import uuid

import pytest

pytest.importorskip("bfcl_eval", reason="bfcl-eval is not installed (pip install 'builder[bfcl]')")

from bfcl_eval.eval_checker.multi_turn_eval.multi_turn_utils import execute_multi_turn_func_call  # noqa: E402

from tests.domains.adapters.bfcl import ground_truth  # noqa: E402
from domains.adapters.bfcl.database import failure_of  # noqa: E402
from domains.adapters.bfcl.domain import BfclDomain, load_class  # noqa: E402
from domains.adapters.bfcl.state import jsonable, snapshot  # noqa: E402
from domains.framework.canonical import canonical, canonical_json  # noqa: E402


def _native(entry):
    instances = {}
    for name in entry["involved_classes"]:
        api = ground_truth.BY_CLASS_NAME[name]
        instance = load_class(api)()
        if not api.stateless:
            instance._load_scenario(copy.deepcopy(entry["initial_config"].get(name, {})))
        instances[name] = instance
    return instances


def _state(instances):
    return {name: snapshot(i) for name, i in instances.items() if snapshot(i)}


def replay(entries):
    """Counts, and the calls that went differently from BFCL (entry id, call, our observation)."""
    counts, mismatches = collections.Counter(), []
    groups = collections.defaultdict(list)
    for e in entries:
        groups[tuple(a.short for a in ground_truth.classes_of(e))].append(e)
    for group in groups.values():
        domain = BfclDomain(ground_truth.classes_of(group[0]), worlds=[ground_truth.world_of(e) for e in group])
        for entry in group:
            counts["entries"] += 1
            env = domain.new_environment()
            assert env.execute("find_user", {"user_id": entry["id"]}).ok
            native = _native(entry)
            same = True
            for name, args, kwargs in ground_truth.calls_of(entry):
                counts["calls"] += 1
                tool = domain.tools[name]
                arguments = {**dict(zip(tool.params, args)), **kwargs}
                live = env.db.live(tool.api.class_name)
                before = snapshot(live) if tool.kind == "read" else None
                obs = env.execute(name, arguments)
                if before is not None:
                    assert snapshot(live) == before, f"{entry['id']}: read {name} changed the state"
                try:
                    theirs = jsonable(tool.method(native[tool.api.class_name], **arguments))
                    refused = failure_of(theirs, tool.kind) is not None
                except Exception:
                    theirs, refused = None, True
                counts["refusals"] += refused
                if obs.ok == refused or (obs.ok and canonical(obs.result) != canonical(theirs)):
                    mismatches.append((entry["id"], name, arguments, obs))
                    same = False
                    break
            if same and canonical_json(env.db.world_state(entry["id"])) != canonical_json(_state(native)):
                mismatches.append((entry["id"], "final state", {}, None))
                same = False
            counts["replayed"] += same
    return counts, mismatches


def _check(counts, mismatches):
    for entry_id, name, arguments, obs in mismatches:
        # only a ground-truth call that breaks BFCL's own doc may differ, refused by validation
        assert obs is not None and obs.error_code == "invalid_arguments", (entry_id, name, obs)
    assert counts["replayed"] + len(mismatches) == counts["entries"]
    assert counts["replayed"] >= 0.97 * counts["entries"], counts
    print(f"\nBFCL ground truth: {dict(counts)}; differing: {[(m[0], m[1]) for m in mismatches]}")


def test_base_ground_truth_replays_like_bfcl():
    counts, mismatches = replay(ground_truth.load_entries("base"))
    assert counts["entries"] == 200 and counts["calls"] > 1000
    _check(counts, mismatches)


@pytest.mark.slow
def test_all_categories_replay_like_bfcl():
    counts, mismatches = replay([e for c in ground_truth.CATEGORIES for e in ground_truth.load_entries(c)])
    _check(counts, mismatches)


def _parse(text):
    """BFCL's executor writes a dict result as JSON, or with `str()` when JSON cannot hold it
    (MathAPI's `mpf('2.0')` and `Decimal('9.5')`)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return ast.literal_eval(re.sub(r"(?:mpf|Decimal)\('([^']*)'\)", r"\1", text))


def test_matches_bfcls_own_executor_turn_by_turn():
    """BFCL's evaluator (string calls, eval) and this adapter agree on results and final state."""
    entries = ground_truth.load_entries("base")[::8]
    model = f"builder_test_{uuid.uuid4().hex[:8]}"
    agreed = 0
    for entry in entries:
        domain = BfclDomain(ground_truth.classes_of(entry), worlds=[ground_truth.world_of(entry)])
        env = domain.new_environment()
        env.execute("find_user", {"user_id": entry["id"]})
        instances = {}
        for turn in entry["ground_truth"]:
            results, instances = execute_multi_turn_func_call(
                turn, entry["initial_config"], entry["involved_classes"], model, entry["id"]
            )
            for call, theirs in zip(turn, results):
                name, args, kwargs = ground_truth.parse_call(call)
                tool = domain.tools[name]
                obs = env.execute(name, {**dict(zip(tool.params, args)), **kwargs})
                if theirs.startswith("Error during execution"):
                    assert not obs.ok, (entry["id"], call)
                elif obs.ok and theirs.startswith("{"):
                    assert canonical(obs.result) == canonical(_parse(theirs)), (entry["id"], call)
        agreed += canonical_json(env.db.world_state(entry["id"])) == canonical_json(_state(instances))
    assert agreed == len(entries), f"{agreed}/{len(entries)} entries end in BFCL's state"
