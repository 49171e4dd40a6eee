"""Near-duplicate instructions: MinHash LSH candidates, verified with the real Jaccard."""

from __future__ import annotations

import random
import re

from builder.curation.near import lsh_rows
from tests.curation.runs import WORDS, kept_tasks, removed, run, sentence, task


def edit(text: str, changes: int, seed: int) -> str:
    """`text` with `changes` words replaced by words it does not contain."""
    words = text.rstrip(".").split()
    rng = random.Random(seed)
    for i in rng.sample(range(len(words)), changes):
        words[i] = f"new{seed}x{i}"
    return " ".join(words) + "."


def jaccard(a: str, b: str, n: int = 3) -> float:
    def grams(t):
        w = re.sub(r"[^\w]+", " ", t.lower()).split()
        return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}
    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


def test_lsh_shape_finds_a_pair_at_the_threshold_almost_surely():
    for t in (0.5, 0.7, 0.8, 0.9):
        r = lsh_rows(t)
        assert 1 - (1 - t ** r) ** 20 >= 0.99
    assert lsh_rows(0.8) == 7


def test_a_near_copy_drops_the_later_task_and_a_distinct_one_stays(tmp_path):
    base = sentence(1, words=60)
    near = edit(base, 2, seed=5)  # 2 of 60 words: Jaccard ~0.83 on 3-grams
    assert 0.8 <= jaccard(base, near) < 1
    records = [task("t1", base, user="a"), task("t2", near, user="b"), task("t3", sentence(3, words=60), user="c")]
    run_dir, result = run(tmp_path, records)
    assert kept_tasks(run_dir) == ["t1", "t3"]
    assert removed(run_dir, "blueprints")["t2"] == ("near_duplicates", "near_duplicate_instruction", "t1")
    assert removed(run_dir)[("t2", 1)] == ("near_duplicates", "near_duplicate_instruction", "t1")
    assert result.trajectories["near_duplicates"].removed == {"near_duplicate_instruction": 1}
    assert result.near_duplicates.verified_pairs == 1


def test_threshold_and_ngram_are_honoured(tmp_path):
    base = sentence(1, words=60)
    near = edit(base, 4, seed=6)
    similarity = jaccard(base, near)
    assert 0.6 < similarity < 0.8
    records = [task("t1", base, user="a"), task("t2", near, user="b")]
    assert kept_tasks(run(tmp_path, records)[0]) == ["t1", "t2"]  # default 0.8: not near enough
    assert kept_tasks(run(tmp_path, records, near_dup_threshold=0.6)[0]) == ["t1"]
    # with single words, 4 changed words of 60 leave the sets far more alike
    assert jaccard(base, near, n=1) >= 0.85
    assert kept_tasks(run(tmp_path, records, near_dup_ngram=1, near_dup_threshold=0.85)[0]) == ["t1"]
    assert kept_tasks(run(tmp_path, records, near_dup_threshold=None)[0]) == ["t1", "t2"]


def test_a_recombined_task_is_not_a_near_copy_of_its_parents(tmp_path):
    long_parent, short_parent = sentence(1, words=80), sentence(2, words=6)
    merged = long_parent + " " + short_parent
    assert jaccard(long_parent, merged) >= 0.8
    records = [
        task("p1", long_parent, family="f1"), task("p2", short_parent, family="f1"),
        task("f1-merged", merged, family="f1", kind="recombined", parents=["p1", "p2"]),
        task("other", merged + " again", user="z"),  # the same text outside the family is a near copy
    ]
    run_dir, _ = run(tmp_path, records)
    assert kept_tasks(run_dir) == ["f1-merged", "p1", "p2"]
    assert removed(run_dir, "blueprints")["other"][1] == "near_duplicate_instruction"


def test_every_pair_above_the_threshold_is_found_and_nothing_else_is_dropped(tmp_path):
    """Against brute force on 150 texts: clusters of near-copies at several distances."""
    rng = random.Random(7)
    texts = []
    for cluster in range(30):
        base = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))) + "."
        texts.append(base)
        for k in range(4):
            texts.append(edit(base, rng.randint(1, 5), seed=cluster * 10 + k))
    records = [task(f"t{i:03d}", t, user=f"u{i}") for i, t in enumerate(texts)]
    run_dir, _ = run(tmp_path, records)
    expected_dropped = {
        f"t{j:03d}" for j in range(len(texts)) for i in range(j) if jaccard(texts[i], texts[j]) >= 0.8
    }
    assert 20 < len(expected_dropped) < 120  # both outcomes are well represented
    dropped = {t for t, (stage, _, _) in removed(run_dir, "blueprints").items() if stage == "near_duplicates"}
    assert dropped == expected_dropped
