"""HTML -> PDF with WeasyPrint. The only module that imports weasyprint.

Article text ends up in the HTML, and WeasyPrint's default fetcher follows ``http://`` and
``file://`` URLs: a hostile article could make the renderer call internal services or embed local
files. :class:`AssetsOnlyFetcher` allows ``data:`` URLs and files under the templates' assets
folder, and refuses everything else without opening it.

WeasyPrint is imported on first use, not with this module: a rebuild whose print HTML has not
changed takes the PDF from the cache (:func:`html_to_pdf`'s ``cache``) without paying the
library's start-up (about 0.7 s).

No word is broken at a line's end: the text is set ragged right (print.css), which needs no
hyphenation, and WeasyPrint's own ``hyphens: auto`` would break names like any word
("Turk-menistan").
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import os
import re
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from briefing.runtime import speedups_on
from briefing.store import cachekeys

#: What the PDF is by default: PDF/UA-1, tagged and accessible (title, language, structure tree).
DEFAULT_VARIANT = "pdf/ua-1"

#: Page sizes the config may name (CSS ``@page { size }`` keywords), with an optional orientation.
PAGE_SIZE = re.compile(r"^(a[3-6]|b[45]|letter|legal|ledger)( (portrait|landscape))?$", re.I)

#: A last page whose text fills less than this share of its text area holds only a few lines:
#: the document is laid out again with the assets' TIGHTER stylesheet (a little less leading and
#: space), and that layout is kept when it brings those lines back onto the page before.
LAST_PAGE_MIN = 0.2
TIGHTER = "print-tight.css"


class FetchRefused(ValueError):
    """A URL the renderer was not allowed to fetch. WeasyPrint logs it and leaves the resource
    out; it does not stop the render (an article cannot break a build this way)."""


@functools.cache
def _fetcher_class() -> type:
    """Define the fetcher on first use: its base class is WeasyPrint's."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetsOnlyFetcher(URLFetcher):
        """A WeasyPrint URL fetcher that serves ``data:`` URLs and files under ``assets`` only.

        WeasyPrint 70 requires a ``URLFetcher`` subclass (a plain function crashes). Redirects are
        off, and ``http``/``https``/``ftp`` never reach the network: the refusal happens before any
        handler runs. ``refused`` records what was asked for, so a caller or test can report it.
        """

        def __init__(self, assets: Path) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=5)
            self.root = Path(assets).resolve()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            """Serve ``url`` when it is ``data:`` or a file under the assets folder; else refuse."""
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(self.root) and path.is_file():
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            self.refused.append(url)
            raise FetchRefused(f"refused to fetch {url!r}: only the template assets may be loaded")

    return AssetsOnlyFetcher


def __getattr__(name: str) -> Any:
    # ``from briefing.publish.pdf import AssetsOnlyFetcher`` still works, importing WeasyPrint then.
    if name == "AssetsOnlyFetcher":
        return _fetcher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def html_to_pdf(html: str, *, assets: Path, page_size: str = "A4",
                pdf_variant: str | None = DEFAULT_VARIANT, cache: Path | None = None) -> bytes:
    """Lay out the print HTML (:func:`briefing.publish.render.render_pdf_html`) as PDF bytes.

    Relative URLs in the HTML resolve against ``assets``, the only folder WeasyPrint may read.
    ``page_size`` is a CSS page size keyword ("A4", "Letter", "A4 landscape"); ``pdf_variant``
    is passed to WeasyPrint: "pdf/ua-1" (the default: tagged, with the document's title and
    ``<html lang>``), "pdf/a-3u", or None for an untagged PDF. The output is reproducible:
    metadata dates come from the HTML's ``dcterms.created`` meta, not the clock.

    ``cache`` is a folder (in the workspace's store) where PDFs are kept by a digest of all that
    makes them: the HTML, page size, variant, the assets' names, sizes and times, and the code
    laying it out (this module, WeasyPrint and every library it requires, by
    version: ``cachekeys.code_version``). Since the output is reproducible, a hit is the same
    bytes a render would give, without the second or more the render costs. Each kept PDF
    carries its CRC-32 in its name: a damaged one is never served, but deleted and rendered
    again.
    """
    if not PAGE_SIZE.match(page_size.strip()):
        raise ValueError(f"unknown page size {page_size!r} (expected A4, A5, Letter, Legal, ...)")
    cached = _cache_path(cache, html, assets, page_size, pdf_variant) if cache else None
    if cached is not None:
        kept = _kept(cached)
        if kept is not None:
            return kept
    pdf = _render(html, assets=assets, page_size=page_size, pdf_variant=pdf_variant)
    if cached is not None:
        _store(cached, pdf)
    return pdf


#: PDFs kept in the cache folder; older ones are removed (one per edition and reader is plenty).
CACHE_KEEP = 16


def _cache_path(cache: Path, html: str, assets: Path, page_size: str,
                pdf_variant: str | None) -> Path:
    digest = hashlib.sha256()
    for part in (cachekeys.code_version(html_to_pdf), page_size.strip().lower(),
                 pdf_variant or "", html):
        digest.update(part.encode("utf-8") + b"\0")
    root = Path(assets).resolve()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    return Path(cache) / digest.hexdigest()[:32]


def _kept(key: Path) -> bytes | None:
    """The PDF kept under ``key`` (a file ``KEY-CRC.pdf``) when its bytes still match the CRC
    written with them; a damaged one is deleted, to be rendered again."""
    for entry in key.parent.glob(f"{key.name}-*.pdf"):
        try:
            data = entry.read_bytes()
        except OSError:
            continue
        if entry.stem.rsplit("-", 1)[1] == f"{zlib.crc32(data):08x}":
            return data
        entry.unlink(missing_ok=True)
    return None


def _store(key: Path, pdf: bytes) -> None:
    """Write atomically (a crash never leaves half a PDF to be served later), then prune."""
    target = key.parent / f"{key.name}-{zlib.crc32(pdf):08x}.pdf"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
        os.replace(tmp, target)
        kept = sorted(target.parent.glob("*.pdf"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-CACHE_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:  # a cache that cannot be written is only a slower next build
        pass


def _render(html: str, *, assets: Path, page_size: str, pdf_variant: str | None) -> bytes:
    from weasyprint import CSS, HTML

    _speed_up_type_names()
    fetcher = _fetcher_class()(assets)
    base_url = Path(assets).resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    size = CSS(string=f"@page {{ size: {page_size.strip()} }}", url_fetcher=fetcher)
    laid_out = document.render(stylesheets=[size])
    tighter = Path(assets) / TIGHTER
    if len(laid_out.pages) > 1 and last_page_fill(laid_out) < LAST_PAGE_MIN and tighter.is_file():
        tight = document.render(stylesheets=[size, CSS(filename=str(tighter),
                                                       url_fetcher=fetcher)])
        if len(tight.pages) < len(laid_out.pages):
            laid_out = tight
    options: dict[str, object] = {}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    pdf = laid_out.write_pdf(**options)
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf


def last_page_fill(document: Any) -> float:
    """How much of its text area the last page of a laid-out WeasyPrint document fills, from 0
    to 1: the bottom of its lowest line or replaced box (a chart), margin boxes aside. 1.0 when
    it cannot be told (WeasyPrint's box tree is not public API), so nothing is retried."""
    try:
        from weasyprint.formatting_structure import boxes

        page = document.pages[-1]._page_box
        top, height = page.content_box_y(), page.height
        lowest = top
        stack = [child for child in page.children if not isinstance(child, boxes.MarginBox)]
        while stack:
            box = stack.pop()
            if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
                lowest = max(lowest, box.position_y + box.margin_height())
            elif isinstance(box, boxes.ParentBox):
                stack.extend(box.children)
        return max(0.0, min(1.0, (lowest - top) / height)) if height else 1.0
    except (AttributeError, ImportError, IndexError, TypeError):
        return 1.0


# --- Start-up cost ------------------------------------------------------------------------------
#
# WeasyPrint asks cffi for array and pointer types by name (``ffi.new("hb_codepoint_t[2022]")``
# for every font it subsets, with a different length each time). cffi parses each new name with
# pycparser, re-declaring every known typedef first: about 17 ms a name, a third of a second for
# a five-page briefing. Names of the form ``T *`` / ``T[n]`` / ``T[]`` where ``T`` is a declared
# typedef or a primitive are built directly from cffi's own model instead; anything else goes
# the usual way. tests/test_pdf.py checks both routes give equal types.

_SIMPLE_TYPE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*(\*|\[(\d*)\])\s*")


def _fast_type_parser(parser: Any) -> Callable[[str], tuple[Any, int]]:
    """A drop-in for ``parser.parse_type_and_quals`` with a fast path for simple names."""
    from cffi import model

    original = parser.parse_type_and_quals

    def parse_type_and_quals(cdecl: str) -> tuple[Any, int]:
        match = _SIMPLE_TYPE.fullmatch(cdecl)
        if match is None:
            return original(cdecl)
        name = " ".join(match[1].split())
        declared = parser._declarations.get("typedef " + name)
        if declared is not None:
            base, quals = declared
        elif name in model.PrimitiveType.ALL_PRIMITIVE_TYPES:
            base, quals = model.PrimitiveType(name), 0
        else:
            return original(cdecl)
        if isinstance(base, model.RawFunctionType):
            return original(cdecl)
        if match[2] == "*":
            return parser._get_type_pointer(base, quals), 0
        return model.ArrayType(base, int(match[3]) if match[3] else None), quals

    parse_type_and_quals.original = original  # type: ignore[attr-defined]
    return parse_type_and_quals


@functools.cache
def _speed_up_type_names() -> None:
    """Give WeasyPrint's cffi parser the fast path, once per process (a process-wide change,
    so ``BRIEFING_NO_SPEEDUPS=1`` leaves the parser as it is: see ``briefing.runtime``)."""
    if not speedups_on():
        return
    try:
        from weasyprint.text.ffi import ffi
        parser = ffi._parser
        if not hasattr(parser.parse_type_and_quals, "original"):
            parser.parse_type_and_quals = _fast_type_parser(parser)
    except (ImportError, AttributeError):  # another cffi or WeasyPrint: keep the slow path
        pass

