"""Word (.docx) documents through python-docx: headings (Heading N, Title, or an outline level)
with their levels, list paragraphs as items, code styles as code, tables as rows, and page
numbers from the page breaks Word recorded when it last laid the document out (or, in a file
Word never laid out, from its hard page breaks). Headers, footers, footnotes, comments and text
boxes are left out; deleted tracked changes are left out and inserted ones kept."""

from __future__ import annotations

import io
import re

from ingest.errors import LoadError
from ingest.paged import BREAK, Pages, add_paged, split_at_breaks
from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW, TextBuilder

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
P, TBL, TR, TC, SDT, SDT_CONTENT = (_W + t for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
T, TAB, BR, CR, RENDERED_BREAK, NB_HYPHEN = (
    _W + t for t in ("t", "tab", "br", "cr", "lastRenderedPageBreak", "noBreakHyphen")
)
# Not text of the paragraph: properties, deleted text, field instructions, drawings and text
# boxes (their own paragraphs sit inside them), footnote references.
_SKIP = frozenset(
    [_W + t for t in ("pPr", "rPr", "del", "delText", "instrText", "drawing", "pict", "object",
                      "footnoteReference", "endnoteReference", "commentReference", "moveFrom")]
    + [_MC + "AlternateContent"]
)
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.I)
_LIST_NAME = re.compile(r"^list(?:\s+(?:bullet|number|continue))?(?:\s+(\d))?$|^list paragraph$", re.I)
_CODE_NAMES = frozenset({"html preformatted", "code", "source code", "macro text", "plain text"})


def _pieces(p, mode: str) -> list:
    """The paragraph's text as pieces, with BREAK where a page turns. mode "rendered" counts
    Word's recorded page starts, "hard" counts page-break characters."""
    out: list = []
    stack = list(reversed(list(p)))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == T:
            out.append(el.text or "")
        elif tag == TAB:
            out.append("\t")
        elif tag == NB_HYPHEN:
            out.append("-")
        elif tag == CR:
            out.append("\n")
        elif tag == BR:
            out.append(BREAK if mode == "hard" and el.get(_W + "type") == "page" else "\n")
        elif tag == RENDERED_BREAK:
            if mode == "rendered":
                out.append(BREAK)
        elif tag not in _SKIP and isinstance(tag, str):
            stack.extend(reversed(list(el)))
    return out


def _style_chain(style):
    seen = 0
    while style is not None and seen < 20:  # styles can (wrongly) be based on each other
        yield style
        style, seen = style.base_style, seen + 1


def _outline_level(ppr) -> int | None:
    if ppr is None:
        return None
    lvl = ppr.find(_W + "outlineLvl")
    if lvl is None:
        return None
    try:
        value = int(lvl.get(_W + "val"))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else None


def _kind(paragraph) -> tuple[str, int]:
    """(block kind, level) of a paragraph from its style and properties."""
    p = paragraph._p
    level = _outline_level(p.pPr)
    if level is not None:
        return HEADING, level
    num = p.pPr.numPr if p.pPr is not None else None
    try:
        style = paragraph.style
    except (KeyError, ValueError, AttributeError):
        style = None
    for s in _style_chain(style):
        name = (s.name or "").strip()
        m = _HEADING_NAME.match(name)
        if m:
            return HEADING, int(m.group(1))
        if name.lower() == "title":
            return HEADING, 1
        level = _outline_level(s.element.pPr)
        if level is not None:
            return HEADING, level
        if name.lower() in _CODE_NAMES:
            return CODE, 0
        m = _LIST_NAME.match(name)
        if m:
            depth = int(m.group(1)) - 1 if m.group(1) else 0
            if num is not None and num.ilvl is not None and num.ilvl.val is not None:
                depth = num.ilvl.val
            return ITEM, depth
        if num is None and s.element.pPr is not None and s.element.pPr.numPr is not None:
            num = s.element.pPr.numPr
    if num is not None:
        return ITEM, num.ilvl.val if num.ilvl is not None and num.ilvl.val is not None else 0
    return PARAGRAPH, 0


def _is_title(paragraph) -> bool:
    try:
        return paragraph.style is not None and paragraph.style.name == "Title"
    except (KeyError, ValueError, AttributeError):
        return False


def _blocks(parent):
    """The body's paragraphs and tables in order, through content controls."""
    for el in parent:
        if el.tag in (P, TBL):
            yield el
        elif el.tag == SDT:
            content = el.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def _row(tr, mode: str) -> tuple[str, int]:
    """A table row as "cell | cell" and the number of page breaks in it."""
    cells, breaks = [], 0
    for tc in tr.iter(TC):
        if next(tc.iterancestors(TR)) is not tr:  # a nested table's cell: read with its cell
            continue
        parts = []
        for p in tc.iter(P):
            if any(a.tag in _SKIP for a in p.iterancestors()):
                continue
            pieces = _pieces(p, mode)
            breaks += sum(1 for x in pieces if x is BREAK)
            parts.append("".join(x for x in pieces if x is not BREAK))
        text = " ".join(" ".join(parts).split())
        if text:
            cells.append(text)
    return " | ".join(cells), breaks


def extract_docx(data: bytes, builder: TextBuilder) -> str | None:
    """Add the document's blocks to builder; returns its title (document properties, or the
    first Title paragraph)."""
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        title = (document.core_properties.title or "").strip()
    except Exception as exc:  # python-docx raises many kinds on a damaged package
        raise LoadError(
            f"not a readable Word document ({type(exc).__name__}: {exc}); open and re-save it in "
            "Word or LibreOffice, or save it as PDF"
        ) from None
    mode = "rendered" if next(body.iter(RENDERED_BREAK), None) is not None else "hard"
    has_breaks = mode == "rendered" or any(
        br.get(_W + "type") == "page" for br in body.iter(BR)
    )
    pages = Pages(builder, has_breaks)
    for el in _blocks(body):
        if el.tag == TBL:
            for tr in el.iter(TR):
                if next(tr.iterancestors(TBL)) is not el:
                    continue  # nested tables are read as the text of their cell
                text, breaks = _row(tr, mode)
                for _ in range(breaks):
                    pages.turn()
                builder.add(ROW, text)
            continue
        paragraph = Paragraph(el, document._body)
        kind, level = _kind(paragraph)
        pieces = _pieces(el, mode)
        if kind == CODE:
            segments = split_at_breaks(pieces)
            for _ in segments[1:]:
                pages.turn()
            builder.add(CODE, "".join(segments))
        else:
            n = len(builder.blocks)
            add_paged(builder, kind, pieces, level, pages)
            if not title and kind == HEADING and len(builder.blocks) > n and _is_title(paragraph):
                title = builder.text[builder.blocks[n].start : builder.blocks[n].end]
    return title or None
