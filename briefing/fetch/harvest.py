"""``briefing fetch``: the config's feeds, or URLs, -> new articles written into the corpus.

    feeds (conditional GET) -> new entries -> pages (or the feed's own full text)
        -> reading text and metadata -> ``<fetch.into>/<date>-<title>-<hash>.md`` + fetch state

Each new entry's page is fetched (``fetch.Client``: polite and safe), read by the extractor for
its type (a web page, a PDF) and written as a ``.md`` article with front matter (title, outlet,
byline, published, url, fetched, and the feed and language when known), which every later build
reads like any other article: its citations index that file. A feed's entry whose content is
the article's text (not a summary: at least ``FULL_TEXT_MIN`` characters once read) is used
without fetching the page. The original bytes are kept in the fetch state
(``fetchstate``), with every key the article is known by, so an entry is never fetched twice:
not under another URL, not from another feed, not as a copy of a story already written.

One failure is one line of the report and the rest go on. A feed's ETag and Last-Modified are
kept only when every new entry it listed was handled, so an entry whose page failed is tried
again at the next poll rather than hidden behind a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from briefing.config.model import Config, FeedConfig
from briefing.errors import ConfigError, Problem
from briefing.fetch.client import (
    FEED_ACCEPT,
    PAGE_ACCEPT,
    Client,
    FetchError,
    Resolver,
    Response,
    Settings,
)
from briefing.fetch.feeds import Entry, Feed, FeedError, parse_feed
from briefing.publish.output import write_text_atomically
from briefing.read.formats import Extracted, Unreadable, reading_text, web_url
from briefing.store.backends import fetch_state
from briefing.store.fetchstate import FetchState, Validators, entry_key, text_key, url_key

FULL_TEXT_MIN = 300  # characters of a feed's content, once read, that make it the article
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/rdf+xml")
HTML_TYPES = ("text/html", "application/xhtml+xml")
NAME_MAX = 60  # characters of the title in a fetched article's file name

Progress = Callable[[int, int, str], None]  # (done, total, what was just done)


@dataclass(frozen=True)
class Outcome:
    """What happened to one feed or page: ``status`` is ``new``, ``known``, ``polled``,
    ``not modified``, ``failed`` or ``refused``."""

    kind: str  # "feed" | "page"
    url: str
    status: str
    detail: str = ""
    path: Path | None = None

    def line(self) -> str:
        where = f" -> {_shown(self.path)}" if self.path is not None else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.status:<12} {self.kind} {self.url}{where}{detail}"


@dataclass
class FetchReport:
    """Every feed's and page's outcome, in the order they were done."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        return [o.path for o in self.outcomes if o.status == "new" and o.path is not None]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status in ("failed", "refused")]

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        return [o.line() for o in self.outcomes] + [self.summary()]

    def summary(self) -> str:
        feeds = sum(1 for o in self.outcomes if o.kind == "feed")
        known = sum(1 for o in self.outcomes if o.status == "known")
        failed = self.failed
        text = f"fetched {len(self.written)} new article{'' if len(self.written) == 1 else 's'}"
        if known:
            text += f" ({known} already fetched)"
        if feeds:
            text += f" from {feeds} feed{'' if feeds == 1 else 's'}"
        if failed:
            f_feeds = sum(1 for o in failed if o.kind == "feed")
            f_pages = len(failed) - f_feeds
            parts = [f"{n} {w}{'' if n == 1 else 's'}" for n, w in ((f_feeds, "feed"),
                                                                      (f_pages, "page")) if n]
            text += f"; {' and '.join(parts)} failed (see above; the rest were fetched)"
        return text


@dataclass(frozen=True)
class _Job:
    """A page to get (or a feed entry carrying its text), and what it is known by so far."""

    url: str | None
    entry: Entry | None = None
    feed: FeedConfig | None = None
    feed_title: str | None = None
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Read:
    """A job done: the article read, or a feed found where a page was expected."""

    job: _Job
    extracted: Extracted | None = None
    response: Response | None = None
    original: bytes | None = None
    content_type: str = "text/html"
    feed: Feed | None = None


def settings_of(config: Config) -> Settings:
    """The HTTP client's settings from the config's ``fetch:``."""
    f = config.fetch
    return Settings(contact=f.contact, delay=f.delay, concurrency=f.concurrency,
                    timeout=f.timeout, max_bytes=f.max_bytes, max_redirects=f.max_redirects,
                    allow_private=f.allow_private)


def require_fetchable(config: Config) -> Path:
    """Where fetched articles go; a :class:`ConfigError` when the config cannot fetch: no
    contact (politeness needs one) or nowhere inside the corpus to write."""
    problems = []
    if not config.fetch.contact:
        problems.append(Problem(str(config.path), None, None, "fetch.contact",
                                "needed to fetch: an email address or https URL where site "
                                "owners can reach you, sent in the User-Agent"))
    if config.fetch.into is None:
        problems.append(Problem(str(config.path), None, None, "fetch.into",
                                "needed to fetch: a folder inside the corpus for the articles"))
    if problems:
        raise ConfigError(f"{config.path}: cannot fetch", problems)
    assert config.fetch.into is not None
    return config.fetch.into


def fetch(config: Config, urls: Sequence[str] = (), *, resolver: Resolver | None = None,
          progress: Progress | None = None) -> FetchReport:
    """Fetch what is new: the config's feeds, or only ``urls`` when given. Holds the fetch
    lock (:class:`~briefing.errors.BusyError` when another fetch runs on the store)."""
    into = require_fetchable(config)
    with fetch_state(config) as state:
        _adopt(state, into)
        with Client(settings_of(config), resolver=resolver) as client:
            return _Run(config, into, state, client, progress).run(urls)


class _Run:
    """One fetch: the feeds polled, then the pages, on ``concurrency`` threads; the state and
    the corpus written from this thread only."""

    def __init__(self, config: Config, into: Path, state: FetchState, client: Client,
                 progress: Progress | None) -> None:
        self.config, self.into, self.state, self.client = config, into, state, client
        self.progress = progress or (lambda *_: None)
        self.report = FetchReport()
        self.done = self.total = 0
        self.failed_in: dict[str, int] = defaultdict(int)  # feed url -> entries that failed
        self.pool = ThreadPoolExecutor(max_workers=max(1, config.fetch.concurrency),
                                       thread_name_prefix="fetch")

    def run(self, urls: Sequence[str]) -> FetchReport:
        try:
            if urls:
                jobs = [_Job(u, keys=(url_key(u),)) for u in dict.fromkeys(urls)]
                self._pages(jobs)
            else:
                self._feeds()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return self.report

    def _tick(self, what: str, more: int = 0) -> None:
        self.total += more
        if not more:
            self.done += 1
        self.progress(self.done, self.total, what)

    # -- feeds ---------------------------------------------------------------------------------

    def _feeds(self) -> None:
        feeds = list(self.config.feeds)
        self._tick("feeds", len(feeds))
        polls = {self.pool.submit(self._poll, f): f for f in feeds}
        results: list[tuple[FeedConfig, Response, Feed]] = []
        for future in _completed(polls):
            feed = polls[future]
            self._tick(feed.url)
            try:
                response, parsed = future.result()
            except (FetchError, FeedError) as exc:
                self._add("feed", feed.url, _status(exc), _reason(exc))
                self.state.polled(feed.url, f"failed: {_reason(exc)}", None)
                continue
            if parsed is None:
                self._add("feed", feed.url, "not modified")
                self.state.polled(feed.url, "not modified", None)
                continue
            results.append((feed, response, parsed))
        jobs = []
        for feed, response, parsed in results:
            new = self._new_entries(feed, parsed)
            self._add("feed", feed.url, "polled",
                      f"{len(parsed.entries)} entries, {len(new)} new")
            jobs += new
        self._pages(jobs)
        for feed, response, parsed in results:
            keep = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
            self.state.polled(feed.url, "polled", keep if not self.failed_in[feed.url] else None)

    def _poll(self, feed: FeedConfig) -> tuple[Response, Feed | None]:
        kept = self.state.validators(feed.url)
        response = self.client.get(feed.url, accept=FEED_ACCEPT, etag=kept.etag,
                                   last_modified=kept.last_modified)
        if response.status == 304:
            return response, None
        return response, parse_feed(response.body, response.url, response.headers)

    def _new_entries(self, feed: FeedConfig, parsed: Feed) -> list[_Job]:
        jobs = []
        for entry in parsed.entries:
            keys = [entry_key(feed.url, entry.id)]
            if entry.link:
                keys.append(url_key(entry.link))
            if self.state.known(keys) is not None:
                continue
            if entry.link is None and not entry.content:
                continue  # nothing to fetch and nothing to read
            jobs.append(_Job(entry.link, entry, feed, parsed.title, tuple(keys)))
        return jobs

    # -- pages ---------------------------------------------------------------------------------

    def _pages(self, jobs: Iterable[_Job]) -> None:
        todo = []
        for job in _by_host(list(jobs)):
            seen = self.state.known(job.keys)
            if seen is not None:
                self._add("page", job.url or "", "known", "already fetched", Path(seen))
                continue
            todo.append(job)
        self._tick("pages", len(todo))
        futures = {self.pool.submit(self._read, job): job for job in todo}
        for future in _completed(futures):
            job = futures[future]
            self._tick(job.url or "")
            try:
                read = future.result()
            except (FetchError, Unreadable, FeedError) as exc:
                self._failed(job, _status(exc), _reason(exc))
                continue
            if read.feed is not None:  # a URL given on the command line was a feed
                feed = FeedConfig(read.response.url if read.response else job.url or "")
                new = self._new_entries(feed, read.feed)
                self._add("feed", feed.url, "polled",
                          f"{len(read.feed.entries)} entries, {len(new)} new")
                self._pages(new)
                continue
            self._keep(read)

    def _read(self, job: _Job) -> _Read:
        """In a worker: the article of a job, from the feed's content or its page."""
        entry = job.entry
        if entry is not None and entry.content:
            extracted = _from_content(entry)
            if extracted is not None and len(extracted.text) >= FULL_TEXT_MIN or job.url is None:
                if extracted is None:
                    raise Unreadable("the feed's content holds no text")
                return _Read(job, extracted, None, entry.content.encode("utf-8"),
                             "text/html" if entry.content_is_html else "text/plain")
        assert job.url is not None
        response = self.client.get(job.url, accept=PAGE_ACCEPT)
        kind = response.content_type
        if kind in FEED_TYPES or (entry is None and kind in ("application/xml", "text/xml",
                                                             "application/json")):
            return _Read(job, response=response,
                         feed=parse_feed(response.body, response.url, response.headers))
        if kind == "application/pdf" or response.body[:5] == b"%PDF-":
            from briefing.read.pdftext import extract_pdf

            return _Read(job, extract_pdf(response.body), response, response.body,
                         "application/pdf")
        if kind and kind not in HTML_TYPES:
            raise Unreadable(f"not an article page (it is {kind})")
        from briefing.read.webpage import extract_page

        return _Read(job, extract_page(response.body, url=response.url, charset=response.charset),
                     response, response.body, kind or "text/html")

    def _keep(self, read: _Read) -> None:
        """Write a new article, or note that it is one already written under other keys."""
        job, extracted = read.job, read.extracted
        assert extracted is not None
        meta = _metadata(job, extracted, read.response)
        keys = list(job.keys)
        for url in (read.response.url if read.response else None, meta.get("url")):
            if url:
                keys.append(url_key(url))
        same = self.state.known([*keys, text_key(extracted.text)])
        shown = job.url or meta.get("url") or ""
        if same is not None:
            self.state.alias(same, keys)
            self._add("page", shown, "known", "the same article as one already fetched",
                      Path(same))
            return
        path = self.into / _file_name(meta, job.url or meta.get("url") or extracted.text)
        write_text_atomically(path, _article(meta, extracted.text))
        self.state.record(str(path), meta.get("url") or shown, extracted.text, keys,
                          read.original, read.content_type)
        self._add("page", shown, "new", "", path)

    def _failed(self, job: _Job, status: str, reason: str) -> None:
        if job.feed is not None:
            self.failed_in[job.feed.url] += 1
        self._add("page", job.url or "", status, reason)

    def _add(self, kind: str, url: str, status: str, detail: str = "",
             path: Path | None = None) -> None:
        self.report.outcomes.append(Outcome(kind, url, status, detail, path))


def _completed(futures: dict[Future, object]) -> Iterable[Future]:
    """``futures`` as they complete (one at a time, for the thread that writes)."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from done


def _by_host(jobs: list[_Job]) -> list[_Job]:
    """Jobs interleaved host by host, so the workers are not all waiting on one host's delay."""
    queues: dict[str, list[_Job]] = defaultdict(list)
    for job in jobs:
        queues[urlsplit(job.url or "").netloc.lower()].append(job)
    out = []
    while any(queues.values()):
        for q in queues.values():
            if q:
                out.append(q.pop(0))
    return out


def _status(exc: BaseException) -> str:
    from briefing.fetch.client import Refused

    return "refused" if isinstance(exc, Refused) else "failed"


def _reason(exc: BaseException) -> str:
    return exc.reason if isinstance(exc, FetchError) else str(exc)


def _from_content(entry: Entry) -> Extracted | None:
    """A feed entry's own content read as the article."""
    assert entry.content is not None
    if entry.content_is_html:
        from briefing.read.webpage import extract_html

        try:
            return extract_html(entry.content, url=entry.link)
        except Unreadable:
            return None
    text = reading_text(re.split(r"\n[^\S\n]*\n", entry.content))
    return Extracted("text", text) if text else None


def _metadata(job: _Job, extracted: Extracted, response: Response | None) -> dict[str, str]:
    """The fetched article's front matter: the page's own metadata first, then the feed's;
    a feed's configured ``outlet`` over both."""
    page = dict(extracted.meta)
    entry = job.entry
    meta: dict[str, str | None] = {
        "title": page.get("title") or (entry.title if entry else None),
        "outlet": (job.feed.outlet if job.feed else None) or page.get("outlet") or job.feed_title,
        "byline": page.get("byline") or (entry.author if entry else None),
        "published": page.get("published") or (entry.published if entry else None),
        "url": web_url(page.get("url")) or (response.url if response else None)
        or (entry.link if entry else None) or job.url,
        "language": page.get("language"),
    }
    return {k: v for k, v in meta.items() if v}


def _article(meta: dict[str, str], text: str) -> str:
    """The ``.md`` file: YAML front matter, then the reading text."""
    import yaml

    head = {k: meta[k] for k in ("title", "outlet", "byline", "published", "url") if k in meta}
    head["fetched"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    if "language" in meta:
        head["language"] = meta["language"]
    front = yaml.safe_dump(head, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n\n{text}"


def _file_name(meta: dict[str, str], identity: str) -> str:
    """``2024-01-02-talks-resume-in-tashkent-3fa2b1c4.md``: the date, the title, and a hash of
    the URL (two articles never share a name; the same one always gets the same)."""
    day = meta.get("published") or dt.date.today().isoformat()
    words = unicodedata.normalize("NFKD", meta.get("title") or "article")
    slug = re.sub(r"[^a-z0-9]+", "-", words.encode("ascii", "ignore").decode().lower()).strip("-")
    slug = slug[:NAME_MAX].rstrip("-") or "article"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:8]
    return f"{day}-{slug}-{digest}.md"


def _adopt(state: FetchState, into: Path) -> None:
    """Articles in ``into`` that the state does not list (it was moved aside or lost) are
    known again by their front matter's url, so they are not fetched a second time."""
    if not into.is_dir():
        return
    from briefing.read.corpus import front_matter

    listed = state.paths()
    for path in sorted(into.glob("*.md")):
        if str(path) in listed:
            continue
        try:
            fm = front_matter(path.read_text(encoding="utf-8")).data
        except (OSError, UnicodeDecodeError):
            continue
        url = web_url((fm or {}).get("url"))
        if url:
            text = path.read_text(encoding="utf-8")
            state.record(str(path), url, text, [url_key(url)], None, "text/markdown")


def _shown(path: Path | None) -> str:
    from briefing.read.corpus import display_path

    return display_path(path) if path is not None else ""
