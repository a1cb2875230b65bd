"""The checker of ``compute:``: where a build does the per-article work of reading new files.

``scheduler`` is a Dask scheduler's address, checked by the rule ``build --scheduler`` is
checked by (``read.scheduler``: ``tcp://HOST:PORT``, nothing else), so ``briefing check``
refuses exactly what a build would. Whether the scheduler answers is not the config's to know:
a build finds out when it has files to read (README "Dask").
"""

from __future__ import annotations

from yaml.nodes import Node

from briefing.config.checker import Checker
from briefing.config.model import ComputeConfig
from briefing.read.scheduler import scheduler_problem


def check_compute(check: Checker, node: Node) -> ComputeConfig | None:
    f = check.mapping(node, "compute", "compute")
    if f is None:
        return None
    n = len(check.problems)
    scheduler = check.optional(f, "scheduler", lambda v: _scheduler(check, v), None)
    return ComputeConfig(scheduler) if len(check.problems) == n else None


def _scheduler(check: Checker, node: Node) -> str | None:
    value = check.string(node, "compute.scheduler",
                         expected="a Dask scheduler's address, tcp://HOST:PORT")
    if value is None:
        return None
    problem = scheduler_problem(value)
    if problem is not None:
        check.problem(node, "compute.scheduler", problem)
        return None
    return value
