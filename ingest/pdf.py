"""Text layer of a PDF, page by page."""

from __future__ import annotations

import io
import logging

from ingest.clean import clean_text
from ingest.errors import LoadError


def extract_pdf(data: bytes) -> tuple[str, list[tuple[int, int]], str | None]:
    """(text, [(offset where page starts, page number)], title from the PDF's metadata)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs every odd xref
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("the PDF is password-protected; save an unlocked copy and ingest that")
        page_texts = [clean_text(page.extract_text() or "") for page in reader.pages]
        meta_title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(f"not a readable PDF ({exc}); re-export it or check it opens") from None
    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    offset = 0
    for number, page_text in enumerate(page_texts, start=1):
        if not page_text:
            continue
        if parts:
            offset += 2  # the "\n\n" that joins pages
        pages.append((offset, number))
        parts.append(page_text)
        offset += len(page_text)
    if not parts:
        raise LoadError(
            "the PDF has no text layer (a scan?); run OCR on it first, e.g. `ocrmypdf in.pdf out.pdf`"
        )
    title = str(meta_title).strip() if meta_title else None
    return "\n\n".join(parts), pages, title or None
