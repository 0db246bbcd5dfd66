"""EPUB books through EbookLib: the chapters in reading (spine) order, each one's XHTML read like
an HTML page (headings, paragraphs, lists, tables, code). A chapter without a heading of its own
gets its table-of-contents title as a level-1 heading, so its passages are not filed under the
chapter before. The navigation document (the book's own table of contents) is left out."""

from __future__ import annotations

import io
import posixpath
import re
import warnings

from ingest.errors import LoadError
from ingest.html import extract_html_into
from ingest.structure import HEADING, TextBuilder

_HAS_HEADING = re.compile(rb"<h[1-6][\s>/]", re.I)


def _toc_titles(toc, out: dict[str, str]) -> dict[str, str]:
    """File name -> title of the first table-of-contents entry that points into it."""
    from ebooklib import epub

    for entry in toc:
        if isinstance(entry, tuple) and len(entry) == 2:
            section, children = entry
            _toc_titles([section], out)
            _toc_titles(children, out)
        elif isinstance(entry, (epub.Link, epub.Section)) and entry.title:
            href = (getattr(entry, "href", "") or "").split("#", 1)[0]
            if href:
                out.setdefault(posixpath.normpath(href), " ".join(entry.title.split()))
    return out


def _decode(content: bytes) -> str:
    from bs4 import UnicodeDammit

    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return UnicodeDammit(content, ["utf-8", "windows-1252"]).unicode_markup or ""


def extract_epub(data: bytes, builder: TextBuilder) -> str | None:
    """Add the book's chapters to builder; returns its title from the metadata."""
    import ebooklib
    from ebooklib import epub

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EbookLib warns about its own future defaults
            book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": False})
        titles = book.get_metadata("DC", "title")
        chapters = []
        for idref, *_ in book.spine:
            item = book.get_item_with_id(idref)
            if item is None or isinstance(item, epub.EpubNav):
                continue
            if item.get_type() != ebooklib.ITEM_DOCUMENT or "nav" in (getattr(item, "properties", None) or []):
                continue
            chapters.append((item.file_name, item.get_content()))
        toc = _toc_titles(book.toc, {})
    except LoadError:
        raise
    except Exception as exc:  # EbookLib, zipfile and lxml raise many kinds on a damaged book
        raise LoadError(
            f"not a readable EPUB ({type(exc).__name__}: {exc}); re-export it, e.g. with Calibre"
        ) from None
    if not chapters:
        raise LoadError("the EPUB has no chapters in its reading order; re-export it, e.g. with Calibre")
    by_name = {posixpath.basename(k): v for k, v in toc.items()}
    for name, content in chapters:
        if not _HAS_HEADING.search(content):
            heading = toc.get(posixpath.normpath(name)) or by_name.get(posixpath.basename(name))
            if heading:
                builder.add(HEADING, heading, level=1)
        extract_html_into(_decode(content), builder)
    title = " ".join(str(titles[0][0]).split()) if titles and titles[0] and titles[0][0] else ""
    return title or None
