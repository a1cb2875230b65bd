"""The config file -> a typed, validated :class:`~briefing.config.model.Config`, or every
problem in it at once, each at file:line:col.

Reading and composing the YAML happens here; the walk over its node tree that builds the typed
config is :func:`~briefing.config.validate.check_config` (with the machinery of
:class:`~briefing.config.checker.Checker`); the types are in :mod:`briefing.config.model`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from yaml.nodes import Node, SequenceNode

from briefing.config.checker import Checker
from briefing.config.model import Config, locate
from briefing.config.validate import check_config
from briefing.errors import ConfigError, InputError, Problem

# --- Loading --------------------------------------------------------------------------------


def load_config(path: Path, *, check_paths: bool = True) -> Config:
    """Read, validate and type the config at ``path``.

    Raises :class:`InputError` when the file cannot be read and :class:`ConfigError` carrying
    every problem found (YAML syntax, types, unknown keys, missing paths...) otherwise, so a
    user fixes them all in one pass. ``check_paths=False`` skips :func:`check_config_paths`,
    for a run whose ``--corpus`` replaces the configured one.
    """
    path = Path(path)
    display = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{display}: config file not found",
                         [Problem(display, None, None, "", "config file not found")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"{display}: cannot read the config: {reason}",
                         [Problem(display, None, None, "", f"cannot read the config: {reason}")]
                         ) from None
    node, problem = _compose(data, display)
    if problem is not None:
        raise ConfigError(f"{display}: {problem.message}", [problem])
    root = path.resolve().parent
    checker = Checker(display, root)
    config = check_config(checker, node, hashlib.sha256(data).hexdigest(), path)
    problems = list(checker.problems)
    if check_paths:
        # Checked even when other keys are wrong, so one run reports everything.
        for at, where, p, must in checker.paths:
            message = _path_problem(p, must)
            if message:
                checker.problem(at, where, message)
        problems = checker.problems
    if problems:
        problems = sorted(problems, key=lambda p: (p.line or 0, p.col or 0))
        n = len(problems)
        raise ConfigError(f"{display}: {n} problem{'s' if n > 1 else ''} in the config", problems)
    assert config is not None  # no problems means the checker built a Config
    return config


def check_config_paths(config: Config, node: Node | None = None) -> list[Problem]:
    """Problems with the files the config names: corpus paths and manifest entries that do not
    exist, a ``ca_file`` that is missing. ``node`` is the composed YAML (re-read from
    ``config.path`` when not given) and only serves to point at the offending line."""
    if node is None:
        try:
            node, _ = _compose(config.path.read_bytes(), str(config.path))
        except OSError:
            node = None
    display = str(config.path)
    problems: list[Problem] = []

    def report(where: str, steps: list[str | int], message: str) -> None:
        at = locate(node, steps)
        line, col = (at.start_mark.line + 1, at.start_mark.column + 1) if at else (None, None)
        problems.append(Problem(display, line, col, where, message))

    as_list = isinstance(locate(node, ["corpus"]), SequenceNode)
    checks: list[tuple[str, list[str | int], Path, str]] = [
        (f"corpus[{i}]" if as_list else "corpus", ["corpus", i] if as_list else ["corpus"], p,
         "exists") for i, p in enumerate(config.corpus)]
    checks += [(f"sources[{i}].path", ["sources", i, "path"], s.path, "file")
               for i, s in enumerate(config.sources)]
    if config.delivery.ca_file is not None:
        checks.append(("delivery.ca_file", ["delivery", "ca_file"], config.delivery.ca_file,
                       "file"))
    for where, steps, p, must in checks:
        message = _path_problem(p, must)
        if message:
            report(where, steps, message)
    return problems


def _path_problem(path: Path, must: str) -> str | None:
    """What is wrong with ``path`` given that it ``must`` be ``"file"`` or just ``"exists"``."""
    if not path.exists():
        return f"path does not exist: {path}"
    if must == "file" and not path.is_file():
        return f"not a file: {path}"
    return None


def _compose(data: bytes, display: str) -> tuple[Node | None, Problem | None]:
    """The YAML node tree of ``data``, or the one problem that stops it from being read."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Problem(display, line, col, "", "the config is not valid UTF-8")
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = exc.context or ""
        if context and exc.context_mark and exc.context_mark is not mark:
            cm = exc.context_mark
            context += f" (from line {cm.line + 1}, column {cm.column + 1})"
        message = ", ".join(x for x in (context, exc.problem) if x) or "invalid YAML"
        at: tuple[int | None, int | None] = (mark.line + 1, mark.column + 1) if mark \
            else (None, None)
        return None, Problem(display, *at, "", f"YAML syntax error: {message}")
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        return None, Problem(display, line, col, "", f"YAML syntax error: {exc.reason} "
                                                      f"(character U+{char:04X})")
    except yaml.YAMLError as exc:
        return None, Problem(display, None, None, "", f"YAML syntax error: {exc}")
    except RecursionError:
        return None, Problem(display, None, None, "", "YAML syntax error: nested too deeply")


