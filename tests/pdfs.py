"""Reading PDFs back in tests with pypdf (pure Python: no poppler needed)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, with every run of white space made one space (text wraps inside
    table cells)."""
    return [
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text; each page ends with a form feed (as poppler's ``pdftotext``)."""
    return "".join(f"{page}\f" for page in pdf_pages(pdf))


def pdf_info(pdf: bytes) -> dict[str, str]:
    """The document's title, page count and whether it is tagged (structure for screen
    readers), named as poppler's ``pdfinfo`` names them."""
    reader = PdfReader(io.BytesIO(pdf))
    mark_info = reader.trailer["/Root"].get("/MarkInfo", {})
    return {
        "Title": (reader.metadata or {}).get("/Title", ""),
        "Pages": str(len(reader.pages)),
        "Tagged": "yes" if mark_info.get("/Marked") else "no",
    }
