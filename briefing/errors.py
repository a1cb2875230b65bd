"""One error hierarchy. Library code raises these; only ``cli.py`` turns them into a message on
stderr and an exit code (HTTPie's ``ExitStatus``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1  # an unexpected failure (a bug): the CLI says so and where to report it
    USAGE = 2  # bad command line (typer's own code)
    CONFIG = 3  # the config has problems
    INPUT = 4  # a corpus file or a named file is missing or unreadable
    VERIFY = 5  # a cited item is not verbatim at its offsets
    BUSY = 6  # another process holds the workspace lock
    DELIVERY = 7  # some messages were not delivered
    FETCH = 8  # `briefing fetch`: some feeds or pages failed (the rest were fetched)
    CLUSTER = 9  # the Dask cluster a build sends its work to cannot be reached or lost its work


@dataclass(frozen=True)
class Problem:
    """One problem a user can act on, located in a file: ``path:line:col: where: message``."""

    path: str
    line: int | None
    col: int | None
    where: str
    message: str

    def __str__(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return f"{loc}: {self.where}: {self.message}" if self.where else f"{loc}: {self.message}"


class BriefingError(Exception):
    """Base of every error a user can cause. ``problems`` are printed one per line."""

    exit_code = ExitCode.ERROR

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] or [str(self)]


class UsageError(BriefingError):
    """A bad command line: an option's value, or a theme or reader the config does not have."""

    exit_code = ExitCode.USAGE


class ConfigError(BriefingError):
    exit_code = ExitCode.CONFIG


class InputError(BriefingError):
    exit_code = ExitCode.INPUT


class VerifyError(BriefingError):
    exit_code = ExitCode.VERIFY


class BusyError(BriefingError):
    exit_code = ExitCode.BUSY


class DeliveryError(BriefingError):
    exit_code = ExitCode.DELIVERY


class ArchiveError(BriefingError):
    """An edition was written to out/ but could not be archived (the archive keeps what it had):
    not a bug, so not reported as one, but a build that did not do all it should."""

    exit_code = ExitCode.ERROR


class FetchFailed(BriefingError):
    """Some feeds or pages could not be fetched; the report above says which and why."""

    exit_code = ExitCode.FETCH


class ClusterError(BriefingError):
    """The Dask cluster given for the per-article work (``build --scheduler``, ``compute:``)
    cannot be reached, has no worker, or runs other code: nothing of what it did not finish is
    in the store, which holds only whole batches."""

    exit_code = ExitCode.CLUSTER
