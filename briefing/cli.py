"""The command line: parse options, call the library, turn errors into messages and exit codes.

No logic lives here. Every command is a few lines over a public function; a ``BriefingError``
becomes one line per problem on stderr and its exit code, never a traceback. The options several
commands share, and what they show on a terminal besides their results, are in ``console.py``.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from briefing import __version__
from briefing.console import (
    DEFAULT_CONFIG,
    ConfigOpt,
    CorpusOpt,
    EditionDateOpt,
    OutOpt,
    QuietOpt,
    SchedulerOpt,
    SinceOpt,
    UndatedOpt,
    build_options,
    command_name,
    count,
    parse_date,
    parse_scheduler,
    parse_undated,
    progress,
    show,
    start_listing,
)
from briefing.errors import BriefingError, ExitCode, InputError, UsageError

if TYPE_CHECKING:
    from briefing.config.model import Config
    from briefing.fetch.harvest import FetchReport

app = typer.Typer(
    name="briefing",
    help="Turn a folder of news articles into a cited, themed briefing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class _State:
    quiet = False


def warn(message: str) -> None:
    """Print a warning on stderr unless --quiet."""
    if not _State.quiet:
        typer.echo(message if message.startswith("warning:") else f"warning: {message}", err=True)


def run(fn: Callable[[], T]) -> T:
    """Call ``fn``; map a user's error to its message and exit code, a bug to a short report."""
    try:
        return fn()
    except BriefingError as exc:
        for line in exc.lines():
            typer.echo(f"briefing: {line}" if not _located(line) else line, err=True)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        typer.echo("briefing: interrupted; outputs already in place are unchanged", err=True)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if os.environ.get("BRIEFING_DEBUG"):
            traceback.print_exc()
        typer.echo(f"briefing: internal error: {type(exc).__name__}: {exc} "
                   "(set BRIEFING_DEBUG=1 for the traceback)", err=True)
        raise typer.Exit(int(ExitCode.ERROR)) from None


def _located(line: str) -> bool:
    """Whether a message already starts with the file it is about (``path:12:7: ...``), so it
    needs no ``briefing:`` prefix; a path has no spaces here, a sentence does."""
    head = line.split(": ", 1)[0]
    path = head.split(":", 1)[0]
    return " " not in head and (path.endswith((".yaml", ".yml", ".json", ".txt", ".md"))
                                or "/" in path)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Turn a folder of news articles into a cited, themed briefing."""
    _State.quiet = quiet


def _load(config: Path, *, corpus_given: bool = False) -> Config:
    """Load the config; when --corpus replaces the configured corpus, its paths need not exist."""
    from briefing.config.load import load_config

    return load_config(config, check_paths=not corpus_given)


@app.command()
def build(
    config: ConfigOpt = DEFAULT_CONFIG,
    corpus: CorpusOpt = None,
    out: OutOpt = None,
    since: SinceOpt = None,
    undated: UndatedOpt = None,
    fmt: Annotated[list[str] | None, typer.Option(
        "--format", "-f", help="pdf, html, email, txt or json (repeatable; default: all, or for "
        "a reader the profile's formats and json).")] = None,
    edition_date: EditionDateOpt = None,
    reader: Annotated[str | None, typer.Option("--reader",
                                               help="Build one reader's edition.")] = None,
    all_readers: Annotated[bool, typer.Option("--all-readers",
                                              help="Build every reader's edition.")] = False,
    fetch_first: Annotated[bool, typer.Option(
        "--fetch", help="Fetch what is new in the config's feeds first (see briefing fetch); a "
        "feed or page that fails is a warning.")] = False,
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Build the briefing from the corpus and config into every configured format."""
    from briefing.publish.output import FORMATS

    _State.quiet = _State.quiet or quiet

    def go() -> None:
        formats = tuple(dict.fromkeys(fmt)) if fmt else None
        unknown = [f for f in formats or () if f not in FORMATS]
        if unknown:
            raise UsageError(f"--format: unknown format(s) {', '.join(unknown)} "
                             f"(choose from {', '.join(FORMATS)})")
        cfg = _load(config, corpus_given=bool(corpus))
        if fetch_first:
            report = _fetch(cfg, [])
            for failure in report.failed:
                warn(f"fetch: {failure.line().split(maxsplit=1)[1]}")
        listing = start_listing(corpus or cfg.corpus)
        try:
            # imported while find lists the corpus on the other core (ranking: numpy)
            from briefing.judge import ranking  # noqa: F401
            from briefing.pipeline import build as do_build
            from briefing.pipeline import resolve_readers

            options = build_options(corpus, since, undated, edition_date, formats=formats, out=out,
                                    progress=False if _State.quiet else None,
                                    scheduler=parse_scheduler(scheduler))
            result = do_build(cfg, options, readers=resolve_readers(cfg, reader, all_readers),
                              warn=warn, listing=listing)
        finally:
            listing.close()
        if not _State.quiet:
            for path in result.written:
                typer.echo(f"wrote {show(path)}")
            for folder in result.archived:
                typer.echo(f"archived {show(folder)}/")

    run(go)


def _send_problems(cfg: Config) -> list[str]:
    """What ``briefing send`` would refuse that the config alone cannot say: readers with no
    sender, and the SMTP settings in the environment (checked as send checks them)."""
    from briefing.deliver.claims import claim_expiry
    from briefing.deliver.smtp import smtp_settings
    from briefing.errors import ConfigError

    out = []
    if cfg.readers and not cfg.delivery.sender:
        out.append(f"{show(cfg.path)}: delivery.from: not set, so briefing send cannot mail the "
                   f"{count(len(cfg.readers), 'reader')} (build is not affected)")
    for setting in (lambda: smtp_settings(None, ca_file=cfg.delivery.ca_file), claim_expiry):
        try:
            setting()
        except ConfigError as exc:
            out += [f"{line} (briefing send would stop here)" for line in exc.lines()]
    return out


@app.command()
def check(
    config: ConfigOpt = DEFAULT_CONFIG,
    corpus: CorpusOpt = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 4) when any article would be skipped or read with a "
        "warning.")] = False,
) -> None:
    """Validate the config and the corpus and report every problem.

    A config problem fails (exit 3). An article that ``build`` would skip or read with a warning
    is reported as the same warning and does not fail the check, since it does not fail the build
    either; ``--strict`` makes it fail.
    """

    def go() -> None:
        cfg = _load(config, corpus_given=bool(corpus))
        listing = start_listing(corpus or cfg.corpus)
        from briefing.pipeline import read_corpus

        problems: list[str] = []
        try:
            result = read_corpus(cfg, tuple(corpus) if corpus else None, warn=problems.append,
                                 progress=False if _State.quiet else None, listing=listing)
        finally:
            listing.close()
        try:
            n = len(result)  # counts the articles without loading their texts
        finally:
            result.close()
        problems += _send_problems(cfg)
        for line in problems:
            typer.echo(line if line.startswith("warning:") else f"warning: {line}", err=True)
        if n == 0:
            raise InputError("the corpus holds no readable article (.txt, .md, .html, .eml or "
                             ".pdf)")
        counts = [count(len(cfg.themes), "theme"), count(len(cfg.readers), "reader"),
                  count(n, "article")]
        if problems:
            counts.append(count(len(problems), "warning") + " (see above; build goes on past "
                          "them)")
        typer.echo(f"ok: {show(cfg.path)}: {', '.join(counts)}")
        if problems and strict:
            raise typer.Exit(int(ExitCode.INPUT))

    run(go)


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A briefing.json or a quotes JSON file.")],
    root: Annotated[Path | None, typer.Option(help="Resolve relative source paths here.")] = None,
) -> None:
    """Re-read every cited source and confirm each item is verbatim at its offsets."""
    from briefing.publish.verify import verify_file

    def go() -> None:
        report = verify_file(file, root)
        for line in report.failures:
            typer.echo(line, err=True)
        typer.echo(report.summary())
        if not report.ok:
            raise typer.Exit(int(ExitCode.VERIFY))

    run(go)


@app.command()
def init(directory: Annotated[Path, typer.Argument(metavar="DIR",
                                                   help="The new workspace.")]) -> None:
    """Create a new workspace: a commented config, an empty templates folder, a sample article."""
    from briefing.config.workspace import init_workspace

    def go() -> None:
        for path in init_workspace(directory):
            typer.echo(f"created {show(path)}")
        typer.echo(f"next: cd {directory} && {command_name()} build")

    run(go)


def _fetch(cfg: Config, urls: list[str]) -> FetchReport:
    """Run a fetch with a progress bar on a terminal; print each outcome unless --quiet (a
    failure always)."""
    from briefing.fetch.harvest import fetch

    with progress("fetching", quiet=_State.quiet) as bar:
        report = fetch(cfg, urls, progress=bar.step if bar else None)
    for outcome in report.outcomes:
        if not _State.quiet or outcome.status in ("failed", "refused"):
            typer.echo(outcome.line(), err=outcome.status in ("failed", "refused"))
    if not _State.quiet:
        typer.echo(report.summary())
    return report


@app.command("fetch")
def fetch_command(
    urls: Annotated[list[str] | None, typer.Argument(
        metavar="[URL]...", help="Articles (or feeds) to fetch now; default: the config's "
        "feeds.")] = None,
    config: ConfigOpt = DEFAULT_CONFIG,
    quiet: QuietOpt = False,
) -> None:
    """Fetch new articles from the config's feeds (or the URLs given) into the corpus.

    Each new entry's page is read like a saved web page and written into fetch.into as a .md
    article with front matter; nothing is ever fetched twice. Exit code 8 when some feeds or
    pages failed (the rest were fetched)."""
    from briefing.errors import FetchFailed

    _State.quiet = _State.quiet or quiet

    def go() -> None:
        cfg = _load(config)
        if not urls and not cfg.feeds:
            raise UsageError(f"nothing to fetch: {cfg.path} has no feeds: and no URL was given")
        report = _fetch(cfg, list(urls or []))
        if not report.ok:
            raise FetchFailed(report.summary())

    run(go)


@app.command("read")
def read_command(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="[PATH]...", help="Article files or folders (default: the configured "
        "corpus).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    config: ConfigOpt = DEFAULT_CONFIG,
) -> None:
    """What briefing sees in each article: its metadata and where each field came from, and
    its paragraphs with their offsets, page furniture marked. Any format briefing reads."""
    from briefing.read.reading import as_json, as_text, read_paths

    def go() -> None:
        if fmt not in ("json", "text"):
            raise UsageError(f"--format: expected text or json, got {fmt!r}")
        manifest = None
        targets = list(paths or [])
        if not targets or config.exists():
            # the config's sources manifest is one of the places metadata comes from
            cfg = _load(config, corpus_given=bool(targets))
            targets = targets or list(cfg.corpus)
            manifest = {s.path: s for s in cfg.sources}
        reads = read_paths(targets, manifest, warn)
        if not reads:
            raise InputError("no readable article in " + ", ".join(map(str, targets)))
        typer.echo(as_json(reads) if fmt == "json" else as_text(reads), nl=False)

    run(go)


@app.command()
def quotes(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="[PATH]...", help="Article files or folders (default: the configured "
        "corpus).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or table.")] = "table",
    config: ConfigOpt = DEFAULT_CONFIG,
    texts: Annotated[Path | None, typer.Option(
        "--texts", metavar="DIR", help="Where the JSON's reading texts of web pages, emails and "
        "PDFs are written (default: out/texts, the config's out when it is used).")] = None,
) -> None:
    """Every quotation found, with its speaker. Works without a config when PATHs are given."""
    from briefing.annotate.quotelist import find_all_quotes, quotes_json, quotes_table

    def go() -> None:
        if fmt not in ("json", "table"):
            raise UsageError(f"--format: expected json or table, got {fmt!r}")
        manifest = None
        targets = list(paths or [])
        folder = texts or Path("out/texts")
        if not targets:
            cfg = _load(config)
            targets = list(cfg.corpus)
            manifest = {s.path: s for s in cfg.sources}
            folder = texts or cfg.out / "texts"
        found = find_all_quotes(targets, manifest, warn)
        typer.echo(quotes_json(found, folder) if fmt == "json" else quotes_table(found), nl=False)

    run(go)


@app.command()
def explain(
    theme: Annotated[str, typer.Argument(help="A theme id from the config.")],
    config: ConfigOpt = DEFAULT_CONFIG,
    corpus: CorpusOpt = None,
    since: SinceOpt = None,
    undated: UndatedOpt = None,
    limit: Annotated[int, typer.Option(min=1, help="How many candidates to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """The candidates ranked for a theme, with scores, matched terms, and why the rest were left
    out."""
    from briefing.judge.explain import explain_theme

    def go() -> None:
        cfg = _load(config, corpus_given=bool(corpus))
        rows = explain_theme(cfg, theme, corpus=tuple(corpus) if corpus else None,
                             since=parse_date(since, "--since"),
                             undated=parse_undated(undated), warn=warn)
        if as_json:
            typer.echo(json.dumps([r.as_dict() for r in rows[:limit]], indent=2,
                                  ensure_ascii=False))
            return
        for r in rows[:limit]:
            typer.echo(r.as_line())
        if len(rows) > limit:
            typer.echo(f"... {len(rows) - limit} more (--limit)")

    run(go)


@app.command()
def send(
    config: ConfigOpt = DEFAULT_CONFIG,
    reader: Annotated[str | None, typer.Option(
        "--reader", help="Send one reader's edition (default: every reader).")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", metavar="ADDRESS",
        help="Send one reader's edition to this test address; the ledger is not touched.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write out/readers/ID/briefing.eml instead of sending.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Send again to readers who already got this edition.")] = False,
    smtp: Annotated[str | None, typer.Option(
        "--smtp", metavar="URL", help="SMTP server (default: $BRIEFING_SMTP_URL); the password "
        "comes from $BRIEFING_SMTP_PASSWORD only.")] = None,
    edition_date: EditionDateOpt = None,
    corpus: CorpusOpt = None,
    out: OutOpt = None,
    since: SinceOpt = None,
    undated: UndatedOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Email each reader's edition, at most once per edition (a ledger beside the store)."""
    from briefing.deliver.send import send_editions

    _State.quiet = _State.quiet or quiet

    def go() -> None:
        cfg = _load(config)
        options = build_options(corpus, since, undated, edition_date, out=out)
        with progress("sending", quiet=_State.quiet) as bar:
            report = send_editions(cfg, options, reader_id=reader, to=to, dry_run=dry_run,
                                   force=force, smtp_url=smtp, progress=bar.sent if bar else None,
                                   warn=warn)
        if not _State.quiet or not report.ok:
            for line in report.lines():
                typer.echo(line)
            for path in report.written:
                typer.echo(f"wrote {show(path)}")
        report.check()

    run(go)


@app.command()
def serve(
    config: ConfigOpt = DEFAULT_CONFIG,
    reader: Annotated[str | None, typer.Option(
        "--reader", help="Show this reader's edition first (switchable in the page).")] = None,
    host: Annotated[str, typer.Option(
        "--host", help="The address to listen on (a warning when it is not a loopback one).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="The port (0: any free one).")] = 8000,
    quiet: QuietOpt = False,
) -> None:
    """Build the edition and serve it in a browser, rebuilt and reloaded on every change of the
    config, a template or an article; each theme's explain view and each item's place in its
    source one click away. Ctrl-C stops it."""
    from briefing.serve import ServeOptions
    from briefing.serve import serve as do_serve

    _State.quiet = _State.quiet or quiet

    def say(line: str) -> None:  # the address is printed even under --quiet
        if not _State.quiet or line.startswith("serving"):
            typer.echo(line)

    run(lambda: do_serve(ServeOptions(config=config, reader=reader, host=host, port=port),
                         warn=warn, say=say, report=lambda line: typer.echo(line, err=True)))


def main() -> None:
    """The ``briefing`` entry point: the command line, run with the process-wide speed-ups
    (the cyclic collector off, ``os._exit`` after a success) that ``briefing.runtime`` owns and
    ``BRIEFING_NO_SPEEDUPS=1`` turns off."""
    from briefing.runtime import run as run_fast

    run_fast(lambda: app(prog_name="briefing"))


if __name__ == "__main__":  # pragma: no cover
    main()
