"""The PDF helper: tagged PDF/UA, our static files only, no request to any URL."""

import http.server
import io
import threading

import pytest
from pypdf import PdfReader

from pop_platform.pdf import PdfTooLong, render_pdf, static_file_for
from tests.pdfs import pdf_text

# Makes PDFs: needs Pango (skipped without it outside CI).
pytestmark = pytest.mark.pdf

PAGE = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Persoonlijk ontwikkelingsplan</title>
<link rel="stylesheet" href="/static/css/pdf-test.css">
<style>@page {{ size: A4; @bottom-center {{ content: "Pagina " counter(page) " van " counter(pages); }} }}</style>
</head><body><h1>Ontwikkelplan</h1>{body}</body></html>"""


@pytest.fixture
def listener():
    """A local HTTP server that counts every request it receives."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red; }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


@pytest.fixture
def static_css(settings, tmp_path):
    folder = tmp_path / "static" / "css"
    folder.mkdir(parents=True)
    (folder / "pdf-test.css").write_text('h1::after { content: " (opgemaakt)"; }')
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    return folder / "pdf-test.css"


def _text(pdf: bytes) -> str:
    return pdf_text(pdf)


def test_renders_a_tagged_pdf_with_title_language_and_page_numbers(static_css):
    pdf = render_pdf(html=PAGE.format(body="<p>Doel: duurzame inzetbaarheid.</p>"))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Persoonlijk ontwikkelingsplan"
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert catalog["/Lang"] == "nl"
    text = _text(pdf)
    assert "Doel: duurzame inzetbaarheid." in text
    assert "Pagina 1 van 1" in text


def test_user_text_and_urls_make_the_server_request_nothing(static_css, listener):
    base, hits = listener
    hostile = (
        f'<img src="{base}/img.png"><link rel="stylesheet" href="{base}/a.css">'
        f'<div style="background: url({base}/bg.png)">x</div>'
        f"<style>@import url({base}/import.css); p {{ background: url('{base}/p.png') }}</style>"
        f'<object data="{base}/o"></object><iframe src="{base}/frame"></iframe>'
        '<img src="file:///etc/passwd"><img src="/static/../../etc/passwd">'
    )
    pdf = render_pdf(html=PAGE.format(body=hostile + "<p>Tekst blijft staan.</p>"))
    assert hits == []
    assert "Tekst blijft staan." in _text(pdf)


def test_only_existing_static_files_are_served(static_css):
    assert static_file_for("https://pdf.pop-platform.invalid/static/css/pdf-test.css") == static_css
    assert static_file_for("https://pdf.pop-platform.invalid/static/css/../../x") is None
    assert static_file_for("https://pdf.pop-platform.invalid/media/x.css") is None
    assert static_file_for("https://elsewhere.example/static/css/pdf-test.css") is None
    assert static_file_for("file:///static/css/pdf-test.css") is None


def test_static_stylesheet_is_applied(static_css):
    # The stylesheet adds generated text to the heading; a refused one would not.
    assert "Ontwikkelplan (opgemaakt)" in _text(render_pdf(html=PAGE.format(body="")))


def test_page_cap_refuses_runaway_documents(static_css):
    body = "".join(f'<p style="page-break-after: always">{n}</p>' for n in range(12))
    with pytest.raises(PdfTooLong):
        render_pdf(html=PAGE.format(body=body), max_pages=10)


def test_form_fields_become_fillable(static_css):
    body = '<label>Ambitie <input type="text" name="ambition"></label><textarea name="steps"></textarea>'
    pdf = render_pdf(html=PAGE.format(body=body), forms=True)
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert {"ambition", "steps"} <= set(fields)


def test_threads_render_side_by_side_with_their_own_fonts(static_css):
    """Each thread keeps its own font configuration; documents never mix."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["Sanne Jansen", "Jeroen de Vries", "Fatima el Amrani", "Daan Visser"]

    def render(name: str) -> str:
        # Twice per thread: the second render reuses the thread's font configuration.
        render_pdf(html=PAGE.format(body=f"<p>Eerste versie voor {name}.</p>"))
        return _text(render_pdf(html=PAGE.format(body=f"<p>POP van {name}.</p>")))

    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = list(pool.map(render, names))
    for name, text in zip(names, texts, strict=True):
        assert f"POP van {name}." in text
        assert "Eerste versie" not in text
        assert "Pagina 1 van 1" in text
