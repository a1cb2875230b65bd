"""HTML -> PDF with WeasyPrint. The only module that imports weasyprint.

Article text ends up in the HTML, and WeasyPrint's default fetcher follows ``http://`` and
``file://`` URLs: a hostile article could make the renderer call internal services or embed local
files. :class:`AssetsOnlyFetcher` allows ``data:`` URLs and files under the templates' assets
folder, and refuses everything else without opening it.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: Page sizes the config may name (CSS ``@page { size }`` keywords), with an optional orientation.
PAGE_SIZE = re.compile(r"^(a[3-6]|b[45]|letter|legal|ledger)( (portrait|landscape))?$", re.I)


class FetchRefused(ValueError):
    """A URL the renderer was not allowed to fetch. WeasyPrint logs it and leaves the resource
    out; it does not stop the render (an article cannot break a build this way)."""


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


def html_to_pdf(html: str, *, assets: Path, page_size: str = "A4",
                pdf_variant: str | None = None) -> bytes:
    """Lay out the print HTML (:func:`briefing.render.render_pdf_html`) as PDF bytes.

    Relative URLs in the HTML resolve against ``assets``, the only folder WeasyPrint may read.
    ``page_size`` is a CSS page size keyword ("A4", "Letter", "A4 landscape"); ``pdf_variant``
    is passed to WeasyPrint ("pdf/ua-1", "pdf/a-3u"). The output is reproducible: metadata dates
    come from the HTML's ``dcterms.created`` meta, not the clock.
    """
    if not PAGE_SIZE.match(page_size.strip()):
        raise ValueError(f"unknown page size {page_size!r} (expected A4, A5, Letter, Legal, ...)")
    fetcher = AssetsOnlyFetcher(assets)
    base_url = Path(assets).resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    size = CSS(string=f"@page {{ size: {page_size.strip()} }}", url_fetcher=fetcher)
    options: dict[str, object] = {}
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    pdf = document.write_pdf(stylesheets=[size], **options)
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
