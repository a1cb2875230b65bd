"""What the commands of ``cli.py`` share besides the app, kept beside it so that it reads as its
commands: the options several of them take and their values parsed, and what they show on a
terminal besides their results (a progress bar, paths as typed, counts in words, how to run
briefing again).

Like ``cli.py`` it holds none of the library's logic, and of the library it imports only
``errors.py`` when it is imported: the command line starts before the pipeline is loaded
(``build`` imports it while ``find`` lists the corpus on the other core).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from briefing.errors import UsageError

if TYPE_CHECKING:
    from briefing.pipeline import BuildOptions
    from briefing.read.listing import Listing

DEFAULT_CONFIG = Path("config/briefing.yaml")

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="The config file.",
                                         show_default=True)]
CorpusOpt = Annotated[list[Path] | None, typer.Option(
    "--corpus", help="Article files or folders (repeatable); replaces the configured corpus.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder (default: from config).")]
SinceOpt = Annotated[str | None, typer.Option(
    "--since", metavar="YYYY-MM-DD", help="Only articles published on or after this date.")]
UndatedOpt = Annotated[str | None, typer.Option(
    "--undated", metavar="include|exclude", help="Whether a windowed edition (--since, a profile's "
    "since) keeps articles with no known publication date (default: the profile's undated, else "
    "exclude).")]
EditionDateOpt = Annotated[str | None, typer.Option(
    "--edition-date", metavar="YYYY-MM-DD", help="The edition's date (default: today).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or progress.")]
SchedulerOpt = Annotated[str | None, typer.Option(
    "--scheduler", metavar="tcp://HOST:PORT", help="Read new and changed articles on the Dask "
    "cluster of this scheduler (default: the config's compute.scheduler, else this machine's "
    "cores).")]


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value, or a clear error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None


def parse_undated(value: str | None) -> bool | None:
    """``--undated include|exclude`` as keep-or-not, None when not given."""
    if value is None:
        return None
    if value not in ("include", "exclude"):
        raise UsageError(f"--undated: expected include or exclude, got {value!r}")
    return value == "include"


def parse_scheduler(value: str | None) -> str | None:
    """``--scheduler``: a Dask scheduler's ``tcp://HOST:PORT`` (``read.scheduler``'s rule, the
    config's too), or a clear error."""
    if value is None:
        return None
    from briefing.read.scheduler import scheduler_problem

    problem = scheduler_problem(value)
    if problem is not None:
        raise UsageError(f"--scheduler: {problem}")
    return value


def build_options(corpus: Sequence[Path] | None, since: str | None, undated: str | None,
                  edition_date: str | None, **more: Any) -> BuildOptions:
    """The :class:`~briefing.pipeline.BuildOptions` of the options ``build`` and ``send`` share
    (``--corpus``, ``--since``, ``--undated``, ``--edition-date``), each value parsed (a bad one
    is a :class:`UsageError` naming its option), and ``more`` as given."""
    from briefing.pipeline import BuildOptions  # the pipeline only once the command runs

    return BuildOptions(corpus=tuple(corpus) if corpus else None,
                        since=parse_date(since, "--since"), undated=parse_undated(undated),
                        edition=parse_date(edition_date, "--edition-date"), **more)


class Bar:
    """A progress bar's ``update``, called in the shapes the library reports progress in."""

    def __init__(self, update: Callable[..., None]) -> None:
        self._update = update

    def step(self, done: int, total: int, label: str) -> None:
        """``harvest.Progress``: what was just fetched (its last 60 characters)."""
        self._update(completed=done, total=total or None, description=label[-60:])

    def sent(self, done: int, total: int, reader_id: str, outcome: str) -> None:
        """``deliver.send.Progress``: the reader just sent to, and how it went."""
        self._update(completed=done, total=total, description=f"{reader_id}: {outcome}")


@contextmanager
def progress(what: str, *, quiet: bool) -> Iterator[Bar | None]:
    """A rich progress bar on stderr while the block runs when stderr is a terminal (and not
    ``quiet``), else None."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield Bar(lambda **fields: bar.update(task, **fields))


def start_listing(paths: Sequence[Path]) -> Listing:
    """The corpus listed in the background while the pipeline is imported (``build`` and
    ``check``; see ``read.listing``)."""
    from briefing.read.listing import start

    return start(paths)


def show(path: Path) -> str:
    """A path as the user would type it (``read.corpus.display_path``)."""
    from briefing.read.corpus import display_path

    return display_path(path)


def count(n: int, noun: str) -> str:
    """'1 theme', '3 readers', '0 articles'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def command_name() -> str:
    """How to run this briefing from a shell: ``briefing`` when that is the one on PATH, else
    its full path (a venv's script, run without activating the venv)."""
    script = Path(sys.executable).with_name("briefing")
    on_path = shutil.which("briefing")
    if not script.exists() or (on_path and Path(on_path).resolve() == script.resolve()):
        return "briefing"
    return str(script.absolute())
