"""config: the YAML config and the workspace -> a typed, validated ``Config``.

Takes a config file (``briefing.yaml``); gives a frozen :class:`~briefing.config.model.Config`
(themes, readers, delivery, fetch, sources), or a ``ConfigError`` carrying every problem at
file:line:col. ``briefing init`` (``workspace``) writes a new workspace from ``scaffold/``.

    model.py      the typed result, the table of accepted keys, the defaults (one home each)
    load.py       read and compose the YAML, run the checker, check the paths it names
    validate.py   the walk's top: each top-level key and the checker of its part (a new key
                  is a line here; see its docstring)
    checker.py    the walk's machinery: problems at file:line:col, every typed value (string,
                  integer, date, path, URL, address, query...), mappings and lists
    nodes.py      a YAML node's tag, null, where a character of its value is in the file
    sources.py    the checker of the corpus and the sources manifest
    themes.py     the checker of themes: ids, terms, exclusions, require, limits
    readers.py    the checker of readers: ids, addresses, their themes, formats, window
    delivery.py   the checker of delivery: the mail headers and pacing
    fetch.py      the checker of feeds and fetch: URLs, contact, limits, private hosts
    workspace.py  ``briefing init DIR``

Must not touch: the corpus, the store, the network. A check a later stage would make (an
address delivery refuses, a query the theme parser rejects) is made here by calling that
stage's own rule (``deliver.headers``, ``judge.query``), never a copy of it.

``load_config`` and ``Config`` are importable from here as before the package was split.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.config.load import check_config_paths, load_config
    from briefing.config.model import Config

__all__ = ["Config", "check_config_paths", "load_config"]


def __getattr__(name: str) -> Any:
    # Imported on first use (PEP 562): ``import briefing.config.model`` stays cheap.
    if name in ("load_config", "check_config_paths"):
        load = importlib.import_module("briefing.config.load")
        return getattr(load, name)
    model = importlib.import_module("briefing.config.model")
    try:
        return getattr(model, name)
    except AttributeError:
        raise AttributeError(f"module 'briefing.config' has no attribute {name!r}") from None
