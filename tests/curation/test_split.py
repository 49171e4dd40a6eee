"""The train/test split: by family, seeded, stable."""

from __future__ import annotations

import hashlib

from builder.curation.selection import read_selection
from tests.curation.runs import attempt, run, sentence, task


def family_records(families: int = 40):
    records = []
    for f in range(families):
        fam = f"fam{f:03d}"
        records += [
            task(f"{fam}-p1", sentence(f * 3), family=fam, user=fam, attempts=[attempt(1), attempt(2)]),
            task(f"{fam}-p2", sentence(f * 3 + 1), family=fam, user=fam),
            task(f"{fam}-merged", sentence(f * 3 + 2), family=fam, user=fam, kind="recombined",
                 parents=[f"{fam}-p1", f"{fam}-p2"]),
        ]
    records += [task(f"solo{i:03d}", sentence(1000 + i), user=f"s{i}") for i in range(40)]
    return records


def group_of(task_id: str) -> str:
    return task_id.split("-")[0] if task_id.startswith("fam") else task_id


def test_everything_is_train_by_default(tmp_path):
    run_dir, result = run(tmp_path, family_records(5))
    sel = read_selection(run_dir)
    assert set(sel.trajectories.values()) == set(sel.blueprints.values()) == {"train"}
    assert set(result.kept["trajectories"]) == {"train"}


def test_families_stay_on_one_side_with_their_conversations(tmp_path):
    run_dir, result = run(tmp_path, family_records(), seed=3, test_share=0.3)
    sel = read_selection(run_dir)
    sides: dict[str, set[str]] = {}
    for task_id, split in sel.blueprints.items():
        sides.setdefault(group_of(task_id), set()).add(split)
    for (task_id, _), split in sel.trajectories.items():
        sides[group_of(task_id)].add(split)
        assert split == sel.blueprints[task_id]
    assert all(len(s) == 1 for s in sides.values())
    tests = sum(s == {"test"} for s in sides.values())
    assert 10 <= tests <= 40  # ~24 of 80 groups
    assert result.kept["trajectories"]["test"] > 0 and result.kept["blueprints"]["test"] > 0


def test_the_split_is_the_documented_hash_of_seed_and_group(tmp_path):
    run_dir, _ = run(tmp_path, family_records(), seed=3, test_share=0.3)
    sel = read_selection(run_dir)
    for task_id, split in sel.blueprints.items():
        h = int(hashlib.md5(f"3:{group_of(task_id)}".encode()).hexdigest()[:13], 16)
        assert split == ("test" if h < 0.3 * 2 ** 52 else "train"), task_id


def test_same_seed_same_split_other_seed_other_split_more_rows_never_move(tmp_path):
    a = read_selection(run(tmp_path / "a", family_records(), seed=3, test_share=0.3)[0]).blueprints
    b = read_selection(run(tmp_path / "b", family_records(), seed=3, test_share=0.3)[0]).blueprints
    c = read_selection(run(tmp_path / "c", family_records(), seed=4, test_share=0.3)[0]).blueprints
    bigger = read_selection(run(tmp_path / "d", family_records(60), seed=3, test_share=0.3)[0]).blueprints
    assert a == b
    assert a != c
    assert all(bigger[t] == s for t, s in a.items())
