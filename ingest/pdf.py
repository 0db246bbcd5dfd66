"""Text layer of a PDF, page by page, as clean text with structure: running headers and footers
and page numbers dropped, hard-wrapped lines joined into paragraphs, bullets as list items,
numbered section titles as headings, and the page each span is on."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from ingest.errors import LoadError
from ingest.lines import Joiner, typical_width, vocabulary
from ingest.structure import TextBuilder

# Lines looked at, at the top and at the bottom of each page, for running headers/footers.
EDGE_LINES = 3
# A line (digits aside) in the edge zone of at least this share of pages is a running header.
RUNNING_SHARE = 0.4
_PAGE_NUMBER = re.compile(
    r"^\W*(?:page\s*)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?\W*$", re.I
)
_DIGITS = re.compile(r"\d+")


def _signature(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines without its running header/footer lines and page numbers. A line is
    running when, numbers aside, it stands near the top or bottom of many pages."""
    def edges(lines: list[str]) -> list[int]:
        filled = [i for i, s in enumerate(lines) if s.strip()]
        return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_signature(lines[i]) for i in edges(lines)})
    need = max(3, RUNNING_SHARE * len(pages))
    running = {sig for sig, n in counts.items() if n >= need}
    out = []
    for lines in pages:
        drop = {
            i for i in edges(lines)
            if _signature(lines[i]) in running or _PAGE_NUMBER.match(lines[i].strip())
        }
        out.append([s for i, s in enumerate(lines) if i not in drop])
    return out


def _page_lines(reader) -> list[list[str]]:
    pages = []
    for page in reader.pages:
        try:
            text = page.extract_text() or ""
        except (KeyError, ValueError, TypeError, AttributeError, IndexError):
            text = ""  # one unreadable page: the rest of the document still counts
        pages.append(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return pages


def extract_pdf(data: bytes, builder: TextBuilder, max_pages: int | None = None) -> str | None:
    """Add the PDF's blocks to builder, marking each page; returns the title from its metadata."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs every odd xref
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("the PDF is password-protected; save an unlocked copy and ingest that")
        if max_pages is not None and len(reader.pages) > max_pages:
            raise LoadError(
                f"the PDF has {len(reader.pages)} pages, over the limit of {max_pages}; split it, "
                "or raise ASSISTANT_MAX_PDF_PAGES"
            )
        pages = _page_lines(reader)
        meta_title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except LoadError:
        raise
    except RecursionError:
        raise LoadError("the PDF is nested too deeply to read (damaged or hostile); re-export it") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise LoadError(f"not a readable PDF ({exc}); re-export it or check it opens") from None
    from ingest.ocr import ocr_scanned_pages

    ocr_scanned_pages(data, reader, pages)  # scanned pages, when OCR is installed
    pages = drop_running_lines(pages)

    all_lines = [line for lines in pages for line in lines]
    joiner = Joiner(builder, typical_width(all_lines), vocabulary("\n".join(all_lines)))
    for number, lines in enumerate(pages, start=1):
        if not any(s.strip() for s in lines):
            continue
        builder.page(number)
        for line in lines:
            joiner.line(line)
    if not builder.blocks:
        raise LoadError(
            "no text found in the PDF: it has no text layer (a scan?), and OCR found no text "
            "either (blank pages or drawings only?)"
        )
    title = str(meta_title).strip() if meta_title else None
    return title or None
