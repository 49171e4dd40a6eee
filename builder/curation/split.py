"""The train/test split: by family, so a recombined task and its parents are on the same side.

A task's group is its family (tasks of one user that may be recombined, and the recombined
task itself) or, without one, the task itself. A group goes to `test` when

    int(md5(f"{seed}:{group}").hexdigest()[:13], 16) < test_share * 2**52

i.e. its seeded hash, read as a number in [0, 1), is below `test_share`. The side of a group
depends on nothing else: the same run seed gives the same split, and a larger run (more
tasks) never moves an existing group to the other side. `test_share` is the expected share of
groups, so with few groups the test split can be empty (then only `train` is written), and
its share of rows varies with the groups' sizes.
"""

from __future__ import annotations

from collections.abc import Iterable

TRAIN, TEST = "train", "test"
_SCALE = 2 ** 52  # 13 hex digits


def split_sql(seed: int, test_share: float, group: str = "grp") -> str:
    """SQL for the split of the row whose group is in column `group`."""
    below = int(test_share * _SCALE)
    return f"CASE WHEN ('0x' || left(md5('{int(seed)}:' || {group}), 13))::BIGINT < {below} THEN '{TEST}' ELSE '{TRAIN}' END"


def ordered(splits: Iterable[str]) -> list[str]:
    """Split names as they are listed everywhere: train, then test, then any other by name."""
    present = set(splits)
    return [s for s in (TRAIN, TEST) if s in present] + sorted(present - {TRAIN, TEST})
