"""The scripts and benchmarks import what the package has: a module that moves (the split into
stages moved every one) takes its importers in scripts/ and benchmarks/ along, which no other
test runs (``scripts/preview`` needs Chromium, the benchmarks minutes and ../shared/).

Read with ``ast``, imported only as far as the package's own modules: the Python of a shell
script is its ``python - <<'PY'`` here-documents.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_HEREDOC = re.compile(r"<<'PY'\n(.*?)\n\s*PY\n", re.S)


def python_of(path: Path) -> list[str]:
    """The Python a script runs: the file itself, or a shell script's here-documents."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return [text]
    return [_dedent(block) for block in _HEREDOC.findall(text)]


def _dedent(block: str) -> str:
    lines = block.split("\n")
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)


def package_imports(source: str) -> list[tuple[int, str, str | None]]:
    """(line, module, name) of every import of the package's modules, at any depth."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None) for a in node.names
                      if a.name.split(".")[0] == "briefing"]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module \
                and node.module.split(".")[0] == "briefing":
            found += [(node.lineno, node.module, a.name) for a in node.names]
    return found


SCRIPTS = sorted([*REPO.glob("scripts/*"), *REPO.glob("benchmarks/*.py")])


def test_the_scripts_are_read() -> None:
    preview = REPO / "scripts" / "preview"
    assert any(package_imports(code) for code in python_of(preview)), "no heredoc found"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_each_import_of_the_package_names_a_module_and_a_name_it_has(path: Path) -> None:
    missing = []
    for code in python_of(path):
        for line, module, name in package_imports(code):
            try:
                imported = importlib.import_module(module)
            except ModuleNotFoundError:
                missing.append(f"{line}: no module {module}")
                continue
            if name is not None and not hasattr(imported, name):
                try:  # a submodule not yet imported: `from briefing.publish import render`
                    importlib.import_module(f"{module}.{name}")
                except ModuleNotFoundError:
                    missing.append(f"{line}: {module} has no {name}")
    assert not missing, f"{path.relative_to(REPO)} (lines of its Python):\n" + "\n".join(
        dict.fromkeys(missing))
