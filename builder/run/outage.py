"""An endpoint outage during a build: noted in the run folder by the step that met it, read by the build.

Task chains run in the pipeline's step processes (or Ray actors), so the chains that find an
endpoint down cannot stop the build by raising: distilabel would log the error and carry on.
Instead the process that met it leaves a note under `.state/outages/` (one per endpoint) and
stops its chains, recording no fate for what they had in flight; the build then fails (exit 1)
with `outage_message`, and a resumed build redoes exactly what the outage cost. Notes are
cleared when a build starts.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from builder.llm.config import RolesConfig, endpoint_key
from builder.llm.errors import EndpointDown
from builder.run.folder import write_atomic

__all__ = ["note_outage", "read_outages", "clear_outages", "outage_message"]

OUTAGES = Path(".state") / "outages"


def note_outage(run_dir: Path, down: EndpointDown) -> None:
    folder = Path(run_dir) / OUTAGES
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(down.endpoint.encode()).hexdigest()[:16]
    write_atomic(folder / f"{name}.json", json.dumps(
        {"endpoint": down.endpoint, "role": down.role, "down_s": down.down_s, "error": down.error}))


def read_outages(run_dir: Path) -> list[EndpointDown]:
    folder = Path(run_dir) / OUTAGES
    notes = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [EndpointDown(**json.loads(path.read_text())) for path in notes]


def clear_outages(run_dir: Path) -> None:
    shutil.rmtree(Path(run_dir) / OUTAGES, ignore_errors=True)


def outage_message(outages: list[EndpointDown], roles: RolesConfig) -> str:
    """What went down, which roles it serves, and what to do: the build's closing error."""
    lines = []
    for down in outages:
        served = [name for name, cfg in roles.named() if endpoint_key(cfg) == down.endpoint] or [down.role]
        lines.append(f"endpoint {down.endpoint} (role{'s' if len(served) > 1 else ''} {', '.join(served)}) "
                     f"{down.symptom}")
    return ("; ".join(lines) + ". The build stopped: the rows it could not serve were not recorded (no fate, "
            "nothing lost) and every finished row is kept. Run the same command to resume once it is back.")
