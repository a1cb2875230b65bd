"""The package's shape, kept by tests: stages in folders, no import cycles, no SQL outside the
store, modules and classes of a size a reader can hold (README: Development).

Each rule reads the source with ``ast``; nothing is imported. A rule that fails names the
module, the line and the size, so the fix is where it says.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "briefing"
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300
#: the packages of the stages (README: Development); a module at the top is one of these
STAGES = {"config", "read", "fetch", "annotate", "judge", "publish", "deliver", "store", "serve"}
#: the modules at the top; console: the options and terminal output cli.py's commands share,
#: beside it so that cli.py reads as its commands (of the library it imports errors.py only)
TOP = {"__init__", "cli", "console", "pipeline", "models", "errors", "runtime"}
#: the only modules that may hold SQL: the implementations of the store's interfaces
SQL_HOMES = {"store"}
#: what is still too big or cycles through a late import, being split (issue 16): this list
#: only shrinks, and a name that no longer needs its place here fails the test
STILL_TOO_BIG: set[str] = set()
STILL_CYCLING: set[str] = set()
_SQL = re.compile(r"\b(?:SELECT\s.+\sFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|CREATE\s+(?:TABLE|INDEX|"
                  r"VIRTUAL\s+TABLE)|DELETE\s+FROM|UPDATE\s+\w+\s+SET|DROP\s+TABLE)\b", re.S)


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def top_level_imports(name: str, path: Path) -> set[str]:
    """The package's modules ``name`` imports when it is imported (not those imported inside a
    function, which is how a late import breaks a cycle on purpose: none is allowed here)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    known = {n for n, _ in modules()}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            continue
        for sub in ([node] if not isinstance(node, ast.Try) else node.body):
            if isinstance(sub, ast.Import):
                found.update(a.name for a in sub.names if a.name.split(".")[0] == "briefing")
            elif isinstance(sub, ast.ImportFrom):
                base = sub.module or ""
                if sub.level:
                    base = ".".join([*here[:len(here) - sub.level + 1], *filter(None, [base])])
                if base.split(".")[0] != "briefing":
                    continue
                found.add(base)
                found.update(f"{base}.{a.name}" for a in sub.names if f"{base}.{a.name}" in known)
    return {m for m in found if m in known and m != name}


def test_every_module_sits_in_a_stage_or_is_one_of_the_top_modules() -> None:
    for name, path in modules():
        parts = name.split(".")
        if len(parts) == 1:
            continue
        if path.parent == PACKAGE:
            assert parts[1] in TOP, f"{path}: a module at the top that is not a stage's"
        else:
            assert parts[1] in STAGES, f"{path}: {parts[1]}/ is not a stage (README: Development)"
            init = PACKAGE / parts[1] / "__init__.py"
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
            assert "Must not touch" in doc, f"{init}: say what the stage must not touch"


def test_no_import_cycles() -> None:
    graph = {name: top_level_imports(name, path) for name, path in modules()}
    # a package's modules may import the package (its __init__ runs first anyway)
    graph = {n: {m for m in deps if not n.startswith(m + ".")} for n, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_no_late_imports_of_the_package_inside_functions_to_dodge_a_cycle() -> None:
    """A function-level import of one of the package's modules is allowed for cost (WeasyPrint,
    trafilatura), never for a cycle: the same import at the top must not make one."""
    graph = {name: top_level_imports(name, path) for name, path in modules()}
    dodged = []
    for name, path in modules():
        where = str(path.relative_to(PACKAGE.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for sub in ast.walk(node):
                target = getattr(sub, "module", None) or ""
                if isinstance(sub, ast.ImportFrom) and target.startswith("briefing") \
                        and name in _reaches(graph, target) and where not in STILL_CYCLING:
                    dodged.append(f"{where}:{sub.lineno}: {target} imports {name}")
    assert not dodged, "import cycles dodged by a late import:\n" + "\n".join(dodged)


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        for dep in graph.get(node, ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_modules_and_classes_are_of_a_size_a_reader_can_hold() -> None:
    too_big, known = [], set()
    for _name, path in modules():
        where = str(path.relative_to(PACKAGE.parent))
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            known.add(where)
            if where not in STILL_TOO_BIG:
                too_big.append(f"{where}: {lines} lines")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    known.add(f"{where}:{node.name}")
                    if f"{where}:{node.name}" not in STILL_TOO_BIG:
                        too_big.append(f"{where}:{node.lineno}: class {node.name}, {size} lines")
    assert not too_big, "\n".join(too_big)
    assert not STILL_TOO_BIG - known, f"no longer too big, off the list: {STILL_TOO_BIG - known}"


def test_no_sql_outside_the_store() -> None:
    for name, path in modules():
        if name.split(".")[1:2] and name.split(".")[1] in SQL_HOMES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and _SQL.search(node.value) and not _is_docstring(tree, node):
                pytest.fail(f"{path}:{node.lineno}: SQL outside the store")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert "sqlite3" not in names and "psycopg" not in names, (
                    f"{path}:{node.lineno}: a database driver outside the store")


def _is_docstring(tree: ast.Module, node: ast.Constant) -> bool:
    for owner in ast.walk(tree):
        if isinstance(owner, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = owner.body
            if body and isinstance(body[0], ast.Expr) and body[0].value is node:
                return True
    return False
