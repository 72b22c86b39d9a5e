"""Rendering HTML to PDF with WeasyPrint, safely.

The only resources a PDF may load are the project's own static files. User text can
contain HTML-looking input or URLs; whatever slips into the HTML, the server never
fetches a URL: every other address (http, https, file, ftp, data…) is refused.

WeasyPrint is imported only when a PDF is made: it loads Pango, a system library, and a
machine without it must still run every other command (``pop_platform.checks`` says in
one line what to install).
"""

from __future__ import annotations

import datetime
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext

# Documents are rendered with this base URL, so `{% static %}` paths become absolute
# URLs on a host that does not exist; the fetcher maps them to files on disk.
BASE_URL = "https://pdf.pop-platform.invalid/"
DEFAULT_MAX_PAGES = 300


class PdfError(Exception):
    """A PDF could not be made; the message is safe to show to the person."""


class PdfTooLong(PdfError):
    pass


class PdfUnavailable(PdfError):
    """WeasyPrint's system libraries (Pango) are missing on this machine."""


class ResourceRefused(ValueError):
    """WeasyPrint catches ValueError per resource: the resource is left out, nothing else."""


def static_file_for(url: str) -> Path | None:
    """The file behind a static URL on the document's base host, or None."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    prefix = settings.STATIC_URL
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / relative
    return collected if collected.is_file() else None


def static_files_only_fetcher():
    """A WeasyPrint URL fetcher that serves the project's static files and refuses
    everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            path = static_file_for(url)
            if path is None:
                self.refused.append(url)
                raise ResourceRefused(f"Refused to fetch {url[:200]}")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type}, 200)

    return StaticFilesOnlyFetcher()


_local = threading.local()


def _font_config():
    """One font configuration per thread, kept for every PDF that thread renders.

    WeasyPrint otherwise gathers the system fonts again for each document (about 30 ms of
    a 6-page plan). Our documents declare no ``@font-face``, so nothing of one document
    stays behind in it but caches of the same system fonts. Pango's font map is not
    shared between threads, hence one per thread.
    """
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def render_pdf(*, html: str, max_pages: int = DEFAULT_MAX_PAGES, forms: bool = False) -> bytes:
    """Render a whole HTML document (with its `<title>` and `<html lang>`) to a tagged PDF.

    Raises ``PdfTooLong`` when the document would have more than ``max_pages`` pages.
    """
    return render_pdf_counted(html=html, max_pages=max_pages, forms=forms)[0]


def render_pdf_counted(
    *, html: str, max_pages: int = DEFAULT_MAX_PAGES, forms: bool = False
) -> tuple[bytes, int]:
    """``render_pdf`` that also says how many pages the PDF has."""
    try:
        from weasyprint import HTML
    except OSError as error:  # Pango missing: trying again will not help
        raise PdfUnavailable("WeasyPrint cannot load Pango on this machine.") from error

    fetcher = static_files_only_fetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        font_config=_font_config(), pdf_variant="pdf/ua-1", pdf_forms=forms
    )
    pages = len(document.pages)
    if pages > max_pages:
        raise PdfTooLong(f"The document has {pages} pages (at most {max_pages}).")
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_forms=forms), pages


def page_counter_css() -> str:
    """The CSS ``content`` value for "Page 2 of 5" in the active language."""
    text = gettext("Page %(page)s of %(pages)s")
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    quoted = quoted.replace("%(page)s", '" counter(page) "').replace(
        "%(pages)s", '" counter(pages) "'
    )
    return f'"{quoted}"'


def print_context(*, organisation: object | None, generated_at: datetime.datetime | None) -> dict:
    """What ``templates/pdf/base.html`` needs: for every PDF of the platform."""
    return {
        "organisation": organisation,
        "generated_at": generated_at,
        "page_counter": page_counter_css(),
        "print_css": static("css/print.css"),
        "LANGUAGE_CODE": translation.get_language(),
    }
