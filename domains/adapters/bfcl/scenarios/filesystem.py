"""File system tasks: go to a directory one level at a time, then create, write, copy, move or
remove something there, or ask how big a file or the directory is."""

from __future__ import annotations

import random
from typing import Any

from bfcl_eval.eval_checker.multi_turn_eval.func_source_code.gorilla_file_system import Directory, File

from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import pick, question, task
from domains.framework.sampling import TargetCall

FS = "GorillaFileSystem"
NEW_DIRS = ["temp", "old_files", "shared", "2024", "invoices", "ideas", "exports", "review"]
NEW_FILES = ["summary.txt", "notes.md", "ideas.txt", "plan.md", "readme.txt", "checklist.txt", "log_copy.txt"]
LINES = ["Review the numbers before Friday", "All tests passed on the second run", "Send the draft to the team",
         "Budget analysis needs one more pass", "Keep a copy in the archive", "Meeting notes are attached"]


def _dirs(directory: Directory, path: list[Directory]) -> list[list[Directory]]:
    """Every directory under `directory` (itself included), as its path of directories from the root."""
    here = path + [directory]
    out = [here]
    for item in directory.contents.values():
        if isinstance(item, Directory):
            out += _dirs(item, here)
    return out


def _navigate(fs: Any, target: list[Directory]) -> list[TargetCall]:
    """`cd` calls from the working directory to `target`: up with "..", then down by name."""
    on_path = [id(d) for d in target]
    current = fs._current_dir
    calls: list[TargetCall] = []
    while id(current) not in on_path:
        if current.parent is None:  # a directory moved away from its tree: start over from the root
            calls, current = [("cd", {"folder": "/"})], target[0]
            break
        calls.append(("cd", {"folder": ".."}))
        current = current.parent
    for d in target[on_path.index(id(current)) + 1:]:
        calls.append(("cd", {"folder": d.name}))
    return calls


def _files(d: Directory) -> list[str]:
    return sorted(n for n, item in d.contents.items() if isinstance(item, File))


def _subdirs(d: Directory) -> list[str]:
    return sorted(n for n, item in d.contents.items() if isinstance(item, Directory))


def _somewhere(db: WorldDatabase, rng: random.Random, want: Any = None) -> tuple[Any, list[Directory]] | None:
    """A directory (its path) satisfying `want`, for the task to happen in; nearby ones are
    likelier, as people work where they are (and every `cd` is a request of its own)."""
    fs = db.live(FS)
    options = [p for p in _dirs(fs.root, []) if want is None or want(p[-1])]
    if not options:
        return None
    weights = [1 / (1 + len(_navigate(fs, p))) ** 2 for p in options]
    return fs, rng.choices(options, weights=weights)[0]


def make_directory(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng)
    if found is None:
        return None
    fs, path = found
    name = pick(rng, [n for n in NEW_DIRS if n not in path[-1].contents])
    return None if name is None else _navigate(fs, path) + [("mkdir", {"dir_name": name})]


def create_file(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng)
    if found is None:
        return None
    fs, path = found
    name = pick(rng, [n for n in NEW_FILES if n not in path[-1].contents])
    if name is None:
        return None
    content = rng.choice(LINES)
    return _navigate(fs, path) + [("touch", {"file_name": name}), ("echo", {"content": content, "file_name": name})]


def overwrite_file(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng, lambda d: bool(_files(d)))
    if found is None:
        return None
    fs, path = found
    name = rng.choice(_files(path[-1]))
    return _navigate(fs, path) + [("echo", {"content": rng.choice(LINES), "file_name": name})]


def _file_and_place(db: WorldDatabase, rng: random.Random, verb: str) -> list[TargetCall] | None:
    """Copy or move a file into a sibling directory that lacks it, or to a new name."""
    found = _somewhere(db, rng, lambda d: bool(_files(d)))
    if found is None:
        return None
    fs, path = found
    here = path[-1]
    name = rng.choice(_files(here))
    into = [s for s in _subdirs(here) if name not in here.contents[s].contents]
    if into and rng.random() < 0.7:
        destination = rng.choice(into)
    else:
        stem, dot, ext = name.rpartition(".")
        destination = f"{stem}_{'copy' if verb == 'cp' else 'old'}{dot}{ext}" if dot else f"{name}_{verb}"
        if destination in here.contents:
            return None
    return _navigate(fs, path) + [(verb, {"source": name, "destination": destination})]


def copy_file(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return _file_and_place(db, rng, "cp")


def move_file(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return _file_and_place(db, rng, "mv")


def remove_file(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng, lambda d: bool(_files(d)))
    if found is None:
        return None
    fs, path = found
    return _navigate(fs, path) + [("rm", {"file_name": rng.choice(_files(path[-1]))})]


def remove_empty_directory(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    def has_empty(d: Directory) -> bool:
        return any(not d.contents[s].contents for s in _subdirs(d))

    found = _somewhere(db, rng, has_empty)
    if found is None:
        return None
    fs, path = found
    empty = [s for s in _subdirs(path[-1]) if not path[-1].contents[s].contents]
    return _navigate(fs, path) + [("rmdir", {"dir_name": rng.choice(empty)})]


def count_in_file(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng, lambda d: bool(_files(d)))
    if found is None:
        return None
    fs, path = found
    name = rng.choice(_files(path[-1]))
    return _navigate(fs, path) + [("wc", {"file_name": name, "mode": rng.choice(["l", "w", "c"])})]


def last_line(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng, lambda d: bool(_files(d)))
    if found is None:
        return None
    fs, path = found
    return _navigate(fs, path) + [("tail", {"file_name": rng.choice(_files(path[-1])), "lines": 1})]


def disk_usage(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    found = _somewhere(db, rng, lambda d: bool(d.contents))
    if found is None:
        return None
    fs, path = found
    return _navigate(fs, path) + [("du", {"human_readable": rng.random() < 0.5})]


SCENARIOS = [
    task("fs_make_directory", make_directory),
    task("fs_create_file", create_file),
    task("fs_overwrite_file", overwrite_file, 0.6),
    task("fs_copy_file", copy_file),
    task("fs_move_file", move_file),
    task("fs_remove_file", remove_file, 0.6),
    task("fs_remove_empty_directory", remove_empty_directory, 0.4),
    question("fs_count_in_file", count_in_file),
    question("fs_last_line", last_line, 0.3),
    question("fs_disk_usage", disk_usage, 0.3),
]
