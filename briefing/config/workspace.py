"""``briefing init DIR``: a new workspace with a commented config, an empty templates folder
and a sample article, ready for ``briefing build``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from briefing.errors import InputError

LAYOUT = {
    "config/briefing.yaml": "briefing.yaml",
    "seeds/sample.md": "sample.md",
}


def init_workspace(directory: Path) -> list[Path]:
    """Create the workspace under ``directory``; never overwrite an existing file."""
    existing = [directory / rel for rel in LAYOUT if (directory / rel).exists()]
    if existing:
        raise InputError(f"{existing[0]}: already exists; not overwriting a workspace")
    scaffold = resources.files("briefing.config") / "scaffold"
    created = []
    for rel, name in LAYOUT.items():
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(scaffold.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
        created.append(target)
    for folder in ("templates", "out"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
        created.append(directory / folder)
    return created
