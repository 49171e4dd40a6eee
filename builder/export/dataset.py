"""Write a run's curated dataset to DIR/dataset/, loadable with `datasets.load_dataset`.

    DIR/dataset/README.md                          the dataset card (`builder.cards`), YAML `configs:` included
    DIR/dataset/trajectories/train-<digest>.parquet  (default config)
    DIR/dataset/trajectories/test-<digest>.parquet   (only with a non-empty test split)
    DIR/dataset/messages/{train,test}-<digest>.parquet
    DIR/dataset/blueprints/{train,test}-<digest>.parquet

`<digest>` is the start of the file's SHA-256, and the README's `configs:` name each file
exactly, not by a wildcard. `datasets` (5.2) keys its cache of a local folder on the folder's
name and the README's configs, not on the files: with a fixed file name, loading
`runs/b/dataset` after `runs/a/dataset`, or after a re-curation of the same run, returned the
earlier rows from the cache. A name that changes with the content changes the key.

Kept rows and their splits are curation's selection (`builder.curation`, read from
DIR/.state/curation/): the conversations that survived deduplication, filters and balancing
(`trajectories` and `messages` have the same rows, in the same order: by task id, then
attempt), and the validated blueprints that survived deduplication (`blueprints`). The column
lists are in `builder.export.trajectories`, `.messages` and `.blueprints`.

Values whose keys differ from row to row (tool arguments, tool schemas, messages, actions,
review scores) are `datasets.Json` features, so they load back exactly as written instead of
as Arrow structs that merge every row's keys and fill the gaps with nulls. We write the JSON
text ourselves (`json.dumps`: exact floats) and the Parquet files with pyarrow, with the
features in the schema metadata where `datasets` reads them. Known upstream limit: datasets
5.2 *decodes* Json values with pandas' ujson without `precise_float`, so a float inside one
(e.g. `0.3`) can come back one ulp off (`0.30000000000000004`); the Parquet text is exact.

`datasets` cannot load an empty split from files, so an empty split is not written (no `test`
files when curation put nothing in `test`), and a config with no rows at all is left out of
the folder and the README (a run with no verified conversation still has its `blueprints`).
The folder is rebuilt whole on every export and swapped in at the end: a crash leaves the
previous export, never a mix.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, get_origin

from builder.config import BuildConfig
from builder.curation.selection import Selection, read_selection
from builder.curation.split import ordered
from builder.errors import UserError
from builder.export import CONFIGS, DEFAULT_CONFIG
from builder.export import blueprints as bp_config
from builder.export import messages as msg_config
from builder.export import trajectories as traj_config
from builder.export.conversation import ExportError, normalize
from builder.llm.config import RoleConfig, RolesConfig
from builder.records import Attempt, TaskRecord
from builder.run.folder import DATASET

if TYPE_CHECKING:
    from domains.framework.domain import Domain

ROW_GROUP_ROWS = 1000  # small row groups keep the Hub viewer and streaming responsive


DATA_FILE = re.compile(r"^(?P<split>\w+?)-(?P<digest>[0-9a-f]{12})\.parquet$")


def data_file(config: str, split: str, content: bytes | Path) -> str:
    """The path of a config's split file under DIR/dataset, named by its content (see above):
    the bytes, or the file holding them."""
    digest = hashlib.sha256(content).hexdigest() if isinstance(content, bytes) else _file_digest(content)
    return f"{config}/{split}-{digest[:12]}.parquet"


def _file_digest(path: Path) -> str:
    """The file's SHA-256, read a MB at a time (a data file can be larger than memory allows)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def split_of(file_name: str) -> str | None:
    """The split a data file holds, from its name; None for a file the export did not name."""
    match = DATA_FILE.match(file_name)
    return match["split"] if match else None


def check_data_file(path: Path, fix: str) -> None:
    """Refuse a data file whose content is not what its name's digest says (cut short, a flipped
    bit, an edit): the export's files are never changed after they are written."""
    match = DATA_FILE.match(path.name)
    if match and _file_digest(path)[:12] != match["digest"]:
        raise UserError(f"{path} is damaged: its content does not match the digest in its name; "
                        f"export the dataset again: {fix}")


def configs_metadata(files: dict[str, dict[str, list[str]]]) -> list[dict[str, Any]]:
    """The README's `configs:` entries for the configs present, each naming its splits' files.

    `files` maps config -> split -> paths relative to DIR/dataset, e.g.
    {"trajectories": {"train": ["trajectories/train-0a1b2c3d4e5f.parquet"]}}; the default
    config is marked `default: true`. Reused by the dataset card, which must keep them.
    """
    out = []
    for name in [c for c in CONFIGS if c in files] + [c for c in files if c not in CONFIGS]:
        entry: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": s, "path": paths[0] if len(paths) == 1 else paths}
                           for s, paths in files[name].items()],
        }
        if name == DEFAULT_CONFIG:
            entry["default"] = True
        out.append(entry)
    return out


def model_spec(role: RoleConfig) -> str:
    """The backend spec (`KIND:MODEL`) a reader is shown for a role.

    Local GGUF paths are reduced to the file name (a path on the builder's disk says nothing to
    a reader and may say too much about the machine).
    """
    kind, model = role.spec
    if kind == "simulator":
        return "simulator"
    if kind == "llamacpp":
        model = Path(model).name
    return f"{kind}:{model}"


def models_spec(config: BuildConfig) -> dict[str, Any]:
    """Role -> backend spec of the roles that made the rows, reviewers as a list. `judge` is None
    when no judge took part (no user stabilisation)."""
    used = {name for name, _ in config.used_roles()}
    out: dict[str, Any] = {}
    for field in RolesConfig.model_fields:
        role = getattr(config.roles, field)
        out[field] = [model_spec(r) for r in role] if isinstance(role, list) else model_spec(role)
    if "judge" not in used:
        out["judge"] = None
    return out


def models_feature():
    from datasets import List, Value

    return {field: List(Value("string")) if get_origin(info.annotation) is list else Value("string")
            for field, info in RolesConfig.model_fields.items()}


def _storage_type(t):
    """The type pyarrow can build from Python values: extension types (Json) by their storage."""
    import pyarrow as pa

    if isinstance(t, pa.BaseExtensionType):
        return t.storage_type
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pa.list_(pa.field(t.value_field.name, _storage_type(t.value_type)))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _storage_type(f.type), f.nullable) for f in t])
    return t


class SplitFiles:
    """The export's Parquet files, one per config and split, each opened at its first row and
    written a row group at a time: the export holds at most a row group of each file's rows,
    whatever the size of the dataset. Rows carry their Json values as JSON text already; the
    files carry the `features` in their metadata, as `datasets` writes them."""

    def __init__(self, folder: Path, features: dict[str, Any], where: str) -> None:
        self.folder, self.features, self.where = folder, features, where
        self._open: dict[tuple[str, str], tuple[Any, list[dict[str, Any]]]] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, name: str, split: str, row: dict[str, Any]) -> None:
        key = (name, split)
        if key not in self._open:
            self._open[key] = (self._writer(name, split), [])
        rows = self._open[key][1]
        rows.append(row)
        by_split = self.counts.setdefault(name, {})
        by_split[split] = by_split.get(split, 0) + 1
        if len(rows) >= ROW_GROUP_ROWS:
            self._flush(key)

    def close(self) -> dict[str, dict[str, Path]]:
        """Write what is left and close every file; config -> split -> the file written."""
        try:
            for key in self._open:
                self._flush(key)
        finally:
            self.discard()
        return {name: {split: self.part(name, split) for split in splits} for name, splits in self.counts.items()}

    def discard(self) -> None:
        """Close every file without writing what is left (as when the export failed: its folder goes)."""
        for writer, _ in self._open.values():
            writer.close()

    def part(self, name: str, split: str) -> Path:
        return self.folder / name / f"{split}.parquet.part"

    def _writer(self, name: str, split: str) -> Any:
        import datasets.config
        import pyarrow.parquet as pq

        path = self.part(name, split)
        path.parent.mkdir(parents=True, exist_ok=True)
        return pq.ParquetWriter(
            path, self.features[name].arrow_schema,
            use_content_defined_chunking=datasets.config.DEFAULT_CDC_OPTIONS,  # as datasets writes: dedups across versions
            write_page_index=True,
        )

    def _flush(self, key: tuple[str, str]) -> None:
        import pyarrow as pa

        writer, rows = self._open[key]
        if not rows:
            return
        schema = self.features[key[0]].arrow_schema
        plain = pa.schema([pa.field(f.name, _storage_type(f.type)) for f in schema])
        try:
            writer.write_table(pa.Table.from_pylist(rows, schema=plain).cast(schema), row_group_size=ROW_GROUP_ROWS)
        except (ValueError, TypeError) as exc:  # pyarrow's errors derive from these
            raise ExportError(f"cannot write the {key[1]} split of the {key[0]!r} config of {self.where}: {exc}") from exc
        rows.clear()


def write_rows(config: BuildConfig, records: Iterable[TaskRecord], selection: Selection, files: SplitFiles,
               domain: "Domain | None" = None) -> None:
    """Add the selected rows to `files`, config by config and split by split, by task id then attempt.

    `records` come in task id order, as the journal streams them, and are read once: the export
    never holds the records. A selected row that is not a passed attempt (or validated
    blueprint) of the records means the selection is not this run's: an `ExportError` names it.
    """
    passed: set[tuple[str, int]] = set()
    found: set[str] = set()
    shared: _Shared | None = None  # read at the first kept conversation
    previous = ""
    for rec in records:
        if rec.task_id < previous:
            raise ValueError(f"records must come in task id order: {rec.task_id} after {previous}")
        previous = rec.task_id
        for att in sorted(rec.attempts, key=lambda a: a.attempt):
            split = selection.trajectories.get((rec.task_id, att.attempt))
            if split is None:
                continue
            if rec.status == "validated" and att.passed:
                passed.add((rec.task_id, att.attempt))
            if shared is None:
                shared = _shared(config, domain)
            traj, msgs = _conversation_rows(rec, att, shared)
            files.add("trajectories", split, traj)
            files.add("messages", split, msgs)
        if rec.task_id in selection.blueprints:
            try:
                row = bp_config.row(rec)
            except ValueError as exc:
                raise ExportError(f"task {rec.task_id} blueprint: {exc}") from exc
            if row is not None:
                found.add(rec.task_id)
                files.add("blueprints", selection.blueprints[rec.task_id], row)
    _check_selected(selection.trajectories, passed, "conversation")
    _check_selected(selection.blueprints, found, "blueprint")


class _Shared(NamedTuple):
    """What every conversation row shares."""

    policy: str
    schemas: list[dict[str, Any]]  # the domain's tools, as the `messages` config holds them
    tools_text: str  # the same, as the `trajectories` config holds them
    models: dict[str, Any]
    simulated: bool


def _shared(config: BuildConfig, domain: "Domain | None") -> _Shared:
    if domain is None:
        from domains import load_domain

        domain = load_domain(config.domain)
    schemas = domain.tool_schemas()
    return _Shared(domain.policy.text, schemas, traj_config.tools_text(schemas), models_spec(config),
                   bool(config.simulated_roles()))


def _conversation_rows(rec: TaskRecord, att: Attempt, shared: _Shared) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `trajectories` and `messages` rows of a kept attempt."""
    row_id = f"{rec.task_id}-a{att.attempt}"
    where = f"task {rec.task_id} attempt {att.attempt}"
    conv = normalize(att.messages, shared.policy, where=where)
    try:
        traj = traj_config.row(row_id=row_id, conv=conv, tools=shared.tools_text, domain=rec.domain,
                               blueprint_id=rec.task_id, models=shared.models, simulated=shared.simulated)
        msgs = msg_config.row(row_id=row_id, conv=conv, tools=shared.schemas, domain=rec.domain,
                              models=shared.models, simulated=shared.simulated)
    except ValueError as exc:  # a value JSON cannot hold (NaN, infinity)
        raise ExportError(f"{where}: {exc}") from exc
    return traj, msgs


def _check_selected(selected: dict, found: set, what: str) -> None:
    missing = sorted(set(selected) - found)
    if missing:
        raise ExportError(
            f"curation selected the {what} {missing[0]} ({len(missing)} in all), which is not a kept {what} of "
            "the run's records: the curation selection is stale (build the run again to curate it anew)"
        )


def _card(run_dir: Path, config: BuildConfig, written: Path) -> str:
    """The dataset card (`builder.cards`), measured on the files just written to `written`; the
    same card `builder publish` renders, less what needs a Hub repository."""
    from builder.cards.dataset_card import render_card_of
    from builder.cards.dataset_facts import measure
    from builder.cards.run_facts import RunFacts
    from builder.run.folder import read_stats

    run = RunFacts(config=config, stats=read_stats(run_dir), facts=measure(written))
    return render_card_of(run, run_dir / DATASET)


def export_dataset(
    run_dir: Path, config: BuildConfig, records: Iterable[TaskRecord], domain: "Domain | None" = None,
    selection: Selection | None = None,
) -> dict[str, dict[str, int]]:
    """Write DIR/dataset/ from the run's task records, in task id order; return config -> split
    -> rows written.

    `selection` (which rows, which split) defaults to what curation wrote for the run
    (`builder.curation.selection.read_selection`); `domain` to `load_domain(config.domain)`
    (its tool schemas and policy text); tests pass their own. The card reads DIR/stats.json,
    which the build writes first. Raises `ExportError` (a `BuildFailure`) naming the row when a
    kept conversation is malformed.
    """
    run_dir = Path(run_dir)
    feats = {
        "trajectories": traj_config.features(models_feature()),
        "messages": msg_config.features(models_feature()),
        "blueprints": bp_config.features(),
    }
    out = run_dir / DATASET
    tmp = run_dir / f".{DATASET}.tmp"
    old = run_dir / f".{DATASET}.old"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    split_files = SplitFiles(tmp, feats, str(run_dir))
    try:
        write_rows(config, records, selection or read_selection(run_dir), split_files, domain)
    except BaseException:
        split_files.discard()
        raise
    parts = split_files.close()
    files: dict[str, dict[str, list[str]]] = {}
    for name in CONFIGS:
        for split in ordered(parts.get(name, {})):
            part = parts[name][split]
            path = data_file(name, split, part)
            os.replace(part, tmp / path)
            files.setdefault(name, {})[split] = [path]
    counts = {name: dict(split_files.counts.get(name, {})) for name in CONFIGS}
    (tmp / "README.md").write_text(_card(run_dir, config, tmp))
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
    return counts
