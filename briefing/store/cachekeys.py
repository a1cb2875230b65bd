"""Cache keys: the version of every kept result, derived from the code, and every name it is
kept under.

What a build keeps (the store's contents, each theme's evidence table, each article's
quotations and dated sentences, the corpus digest, the last full reading of the corpus, the
PDFs) is valid only for the code that computed it. A hand-kept list of the modules behind each
result goes stale (the quotations were once versioned by three of their four modules, so an
edit to the fourth changed cold builds and not warm ones), so the version of a result is
derived instead: :func:`code_version` takes what computes it (a function or module) and hashes
the source of every module of the package that those import, directly or not, read statically
from the package's own import statements (lazy imports inside functions included). With them
go the Python version (the Unicode tables decide what a word is) and the versions of the
third-party distributions those modules import, with everything those require (trafilatura
brings htmldate and justext). Editing any module a result can depend on gives it a new
version, so a warm build never serves what other code computed. The closure over-approximates
(a module imported for one constant counts whole): an edit costs a needless recomputation at
worst, never a stale result.

Everything is read once per process: a warm build pays a few milliseconds for it (the import
statements are found by a scan of the source and only they are parsed; parsing the package's
every module took 0.4 s).

The names results are kept under are made here too (``EVIDENCE``, ``corpus_base`` ...), one
home for each, so no two parts of the code can make up the same name for different things.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import marshal
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import ModuleType

PACKAGE = __name__.split(".")[0]  # "briefing"
ROOT = Path(__file__).resolve().parents[1]  # the package's folder

# --- Names of kept results --------------------------------------------------------------------

#: marshal's format and the interpreter reading it: part of every name whose data is marshalled
MARSHAL = f"{marshal.version}.{sys.version_info[0]}.{sys.version_info[1]}"
#: the store's snapshot of its file table, and the small delta kept beside it (store.py)
FILES = f"files:{MARSHAL}"
FILES_DELTA = f"files-delta:{MARSHAL}"
#: the last full reading of the corpus and the listing it came from (read.warm.Base)
CORPUS_BASE = f"corpus-base:{MARSHAL}"
#: per-article annotations (the store's ``annotations`` table): quotations, dated sentences
QUOTES = "quotes"
EVENTS = "events"
#: the folder of kept PDFs inside the store's folder (pdf.html_to_pdf)
PDF_FOLDER = "pdf"


EVIDENCE = "evidence:"  # what every evidence table's name starts with


def evidence(code: str, query: str) -> str:
    """The name of a theme's evidence table: ``code``, the version of the code computing it,
    then ``query``, a digest of what of the query it depends on (``ranking.cache_name``).
    Every name under another code's version is of no use to this code (``ranking.prune``)."""
    return f"{EVIDENCE}{code}:{query}"


def delta(name: str) -> str:
    """The name of the small table kept beside the one named ``name`` for the files stored
    since it was written (a base and its delta: see ``ranking.shortlists``)."""
    return f"{name}:delta"


def corpus_digest(articles: int) -> str:
    """The name of the kept digest of a corpus of ``articles`` articles (``Corpus.digest``)."""
    return f"corpus-digest:{articles}"


# --- Versions of the code -----------------------------------------------------------------------

Root = str | ModuleType | Callable[..., object]


def code_version(*roots: Root) -> str:
    """A digest (32 hex digits) of the code computing a result: every module of the package
    that ``roots`` (modules, their dotted names, or functions and classes, standing for their
    modules) import directly or not, the interpreter's version and Unicode tables, and the
    versions of the third-party distributions those modules import (with what they require)."""
    return _code_version(frozenset(_module_name(r) for r in roots))


@cache
def _code_version(roots: frozenset[str]) -> str:
    modules = closure(*roots)
    h = hashlib.sha256(f"{sys.implementation.name} {sys.version_info[:3]} "
                       f"unicode {unicodedata.unidata_version}\0".encode())
    for name in modules:
        h.update(name.encode() + b"\0" + _source(name) + b"\0")
    h.update(" ".join(libraries(modules)).encode())
    return h.hexdigest()[:32]


def _module_name(root: Root) -> str:
    if isinstance(root, str):
        return root
    if isinstance(root, ModuleType):
        return root.__name__
    return root.__module__


def closure(*modules: str) -> tuple[str, ...]:
    """The package's modules that ``modules`` import, directly or not, with ``modules``
    themselves and the packages holding them (importing ``a.b`` runs ``a/__init__``),
    sorted by dotted name."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if _path_of(name) is None:
            raise ValueError(f"{name!r} is not a module of the package {PACKAGE}")
        seen.add(name)
        todo += _parents(name)
        todo += [m for m in _imports(name)[0] if m not in seen]
    return tuple(sorted(seen))


def libraries(modules: Iterable[str]) -> tuple[str, ...]:
    """``name==version`` of each third-party distribution ``modules`` import, and of every
    distribution those require, sorted (``name==absent`` for one not installed)."""
    out: set[str] = set()
    for top in sorted({t for m in modules for t in _imports(m)[1]}):
        found = _distribution_of(top)
        if found is None:
            out.add(f"{top}==absent")
            continue
        out.update(_with_requirements(*found))
    return tuple(sorted(out))


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


@cache
def _path_of(name: str) -> Path | None:
    """The source file of the package's module ``name`` (a package's ``__init__.py``)."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = ROOT.joinpath(*parts[1:])
    for path in (base / "__init__.py", base.with_suffix(".py") if len(parts) > 1 else None):
        if path is not None and path.is_file():
            return path
    return None


def _is_package(name: str) -> bool:
    path = _path_of(name)
    return path is not None and path.name == "__init__.py"


@cache
def _source(name: str) -> bytes:
    path = _path_of(name)
    assert path is not None
    return path.read_bytes()


# An import statement's first line: indented or not, inside a function or at the top. A match in
# a docstring or a string is parsed too, and at worst counts a module more (never one less).
_IMPORT_LINE = re.compile(rb"[ \t]*(?:from[ \t]+[\w.]+[ \t]*(?:import\b|\\)|import[ \t]+\w)")


@cache
def _imports(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """What module ``name`` imports: the package's modules (dotted names), and the top-level
    names of the others that are not in the standard library."""
    source = _source(name)
    here = name.split(".") if _is_package(name) else name.split(".")[:-1]
    ours: set[str] = set()
    others: set[str] = set()
    for node in _import_nodes(source):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
            fromlist: list[str] = []
        else:
            if node.level:
                base = here[:len(here) - node.level + 1]
                if not base:
                    continue  # beyond the top package: not an import that can run
                targets = [".".join([*base, *(node.module or "").split(".")]).rstrip(".")]
            else:
                targets = [node.module or ""]
            fromlist = [a.name for a in node.names if a.name != "*"]
        for target in targets:
            top = target.split(".")[0]
            if top == PACKAGE:
                ours.add(target)
                if fromlist and _is_package(target):
                    # ``from . import archive``, ``from briefing import render``: submodules
                    ours.update(m for m in (f"{target}.{n}" for n in fromlist) if _path_of(m))
            elif top and top not in sys.stdlib_module_names:
                others.add(top)
    return frozenset(m for m in ours if _path_of(m)), frozenset(others)


def _import_nodes(source: bytes) -> Iterable[ast.Import | ast.ImportFrom]:
    """The import statements of ``source``, each parsed on its own (a statement continued over
    lines in parentheses or after a backslash is taken whole). Lines are found from the word
    ``import`` (a scan in C: a regular expression tried at every line took twice as long)."""
    taken = 0  # where the statement parsed last ends
    at = source.find(b"import")
    while at >= 0:
        start = _logical_line(source, source.rfind(b"\n", 0, at) + 1)
        at = source.find(b"import", at + 6)
        if start < taken or not _IMPORT_LINE.match(source, start):
            continue  # a line parsed already, or not an import statement
        end = _line_end(source, start)
        code = source[start:end].split(b"#", 1)[0]
        while (code.count(b"(") > code.count(b")") or code.rstrip().endswith(b"\\")) \
                and end < len(source):
            line_end = _line_end(source, end + 1)
            code += b"\n" + source[end + 1:line_end].split(b"#", 1)[0]
            end = line_end
        try:
            # inside parentheses the indentation does not matter: the first line's is taken off
            tree = ast.parse(source[start:end].lstrip().decode("utf-8", "replace"))
        except SyntaxError:
            # prose in a docstring that reads like the start of an import: the lines it took
            # in may hold real statements, so they are looked at on their own
            continue
        taken = end
        yield from (n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))


def _logical_line(source: bytes, start: int) -> int:
    """Where the logical line holding the line at ``start`` begins: lines before it that end
    with a backslash continue into it."""
    while start >= 2 and source[start - 2:start - 1] == b"\\":
        start = source.rfind(b"\n", 0, start - 1) + 1
    return start


def _line_end(source: bytes, start: int) -> int:
    end = source.find(b"\n", start)
    return len(source) if end < 0 else end


# --- Versions of third-party distributions ----------------------------------------------------


def _normal(name: str) -> str:
    """A distribution's name as its ``.dist-info`` folder spells it (PEP 503, with ``_``)."""
    return re.sub(r"[-_.]+", "_", name).lower()


@cache
def _dist_infos(site: str) -> dict[str, str]:
    """The ``.dist-info`` folders of a site folder by normalised distribution name (read off
    the folder names: importlib.metadata's search takes tens of milliseconds)."""
    out: dict[str, str] = {}
    try:
        names = os.listdir(site)
    except OSError:
        return out
    for entry in names:
        if entry.endswith(".dist-info") and "-" in entry:
            out[_normal(entry[:-len(".dist-info")].split("-")[0])] = entry
    return out


@cache
def _distribution_of(top: str) -> tuple[str, str] | None:
    """(site folder, normalised distribution name) of the distribution installing the
    top-level module ``top``, or None when it is not installed."""
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        where = Path(next(iter(spec.submodule_search_locations)))
    elif spec.origin and spec.origin not in ("built-in", "frozen"):
        where = Path(spec.origin)
    else:
        return None
    site = str(where.parent)
    infos = _dist_infos(site)
    name = _normal(top)
    if name in infos:  # a distribution named as its module (numpy, trafilatura)
        return site, name
    # PyStemmer installs Stemmer, PyYAML yaml, pdfminer.six pdfminer: names holding the
    # module's first, then any
    ordered = sorted(infos, key=lambda d: name not in d)
    return next(((site, d) for d in ordered if _installs(site, infos[d], top)), None)


def _installs(site: str, info: str, top: str) -> bool:
    """Whether the distribution of ``info`` installs the top-level module ``top`` (its
    ``top_level.txt``, else its ``RECORD``)."""
    folder = Path(site) / info
    try:
        return top in (folder / "top_level.txt").read_text(encoding="utf-8").split()
    except OSError:
        pass
    try:
        record = (folder / "RECORD").read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(rf"^{re.escape(top)}(?:/|\.py,|\.[\w-]+\.(?:so|pyd),)", record, re.M) \
        is not None


_REQUIRES = re.compile(r"^Requires-Dist:\s*([A-Za-z0-9][A-Za-z0-9._-]*)[^;\n]*(;[^\n]*)?$",
                       re.M)


def _with_requirements(site: str, name: str) -> set[str]:
    """``name==version`` of the distribution ``name`` installed in ``site`` and of what it
    requires (unconditionally or for this platform: a requirement for an extra is left out),
    transitively."""
    out: dict[str, str] = {}
    todo = [name]
    while todo:
        dist = todo.pop()
        if dist in out:
            continue
        info = _dist_infos(site).get(dist)
        if info is None:
            out[dist] = "absent"
            continue
        out[dist] = info[:-len(".dist-info")].split("-", 1)[1]
        todo += [r for r in _requirements(site, info) if r not in out]
    return {f"{d}=={v}" for d, v in out.items()}


@cache
def _requirements(site: str, info: str) -> tuple[str, ...]:
    try:
        with open(Path(site) / info / "METADATA", encoding="utf-8") as f:
            head = []
            for line in f:  # the headers only: the description after them can be long
                if not line.strip():
                    break
                head.append(line)
    except OSError:
        return ()
    return tuple(_normal(m.group(1)) for m in _REQUIRES.finditer("".join(head))
                 if "extra" not in (m.group(2) or ""))
