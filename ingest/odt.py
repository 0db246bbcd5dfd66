"""OpenDocument text (.odt) through odfdo: headings with their outline levels, list items with
their nesting depth, preformatted paragraphs as code, tables as rows, and page numbers from the
soft page breaks LibreOffice records when it saves. Footnotes, comments, frames, tracked-change
records and generated indexes (a table of contents) are left out."""

from __future__ import annotations

import io
import zipfile

from ingest.errors import LoadError
from ingest.paged import BREAK, Pages, add_paged, split_at_breaks
from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW, TextBuilder

# Inside a paragraph: not its text (the tail after each still is).
_INLINE_SKIP = frozenset(
    "text:note office:annotation office:annotation-end draw:frame draw:a draw:custom-shape "
    "text:bookmark text:bookmark-start text:bookmark-end text:reference-mark "
    "text:reference-mark-start text:reference-mark-end text:change text:change-start "
    "text:change-end text:toc-mark text:alphabetical-index-mark".split()
)
# In the body: not content (declarations, generated indexes, frames anchored to the page).
_BLOCK_SKIP = frozenset(
    "text:sequence-decls text:variable-decls text:user-field-decls text:tracked-changes "
    "office:forms text:table-of-content text:alphabetical-index text:illustration-index "
    "text:table-index text:object-index text:user-index text:bibliography draw:frame "
    "office:annotation".split()
)
_CODE_STYLES = frozenset({"preformatted text", "source text", "code"})
_ROW_GROUPS = frozenset({"table:table-header-rows", "table:table-rows", "table:table-row-group"})


def _pieces(el) -> list:
    """A paragraph's text as pieces, with BREAK at each soft page break."""
    out: list = [el.text]
    for child in el.children:
        tag = child.tag
        if tag == "text:s":
            try:
                out.append(" " * max(1, int(child.get_attribute("text:c") or 1)))
            except (TypeError, ValueError):
                out.append(" ")
        elif tag == "text:tab":
            out.append("\t")
        elif tag == "text:line-break":
            out.append("\n")
        elif tag == "text:soft-page-break":
            out.append(BREAK)
        elif tag not in _INLINE_SKIP:
            out.extend(_pieces(child))
        out.append(child.tail or "")
    return out


class _Reader:
    def __init__(self, document, builder: TextBuilder) -> None:
        self.document = document
        self.b = builder
        self.pages = Pages(builder, bool(document.body.xpath("//text:soft-page-break")))
        self._styles: dict[str, str] = {}

    def style_kind(self, name: str | None) -> str:
        """"code", "title" or "" for a paragraph style, through its parents."""
        if not name:
            return ""
        if name not in self._styles:
            kind, seen, current = "", 0, name
            while current and seen < 20:
                style = self.document.get_style("paragraph", current)
                if style is None:
                    break
                names = {str(style.name or "").lower(), str(style.display_name or "").lower()}
                names |= {n.replace("_20_", " ") for n in names}
                if names & _CODE_STYLES:
                    kind = "code"
                    break
                if "title" in names:
                    kind = "title"
                    break
                current, seen = style.parent_style, seen + 1
            self._styles[name] = kind
        return self._styles[name]

    def block(self, el, depth: int = -1) -> None:
        tag = el.tag
        if tag in _BLOCK_SKIP:
            return
        if tag == "text:soft-page-break":
            self.pages.turn()
        elif tag == "text:h":
            try:
                level = int(el.get_attribute("text:outline-level") or 1)
            except (TypeError, ValueError):
                level = 1
            add_paged(self.b, HEADING, _pieces(el), max(1, level), self.pages)
        elif tag == "text:p":
            kind = self.style_kind(el.get_attribute("text:style-name"))
            pieces = _pieces(el)
            if kind == "code":
                segments = split_at_breaks(pieces)
                for _ in segments[1:]:
                    self.pages.turn()
                self.b.add(CODE, "".join(segments))
            elif depth >= 0:
                add_paged(self.b, ITEM, pieces, depth, self.pages)
            else:
                add_paged(self.b, HEADING if kind == "title" else PARAGRAPH, pieces, 1 if kind else 0, self.pages)
        elif tag == "text:list":
            for item in el.children:
                for child in item.children:  # text:list-item / text:list-header
                    self.block(child, depth + 1)
        elif tag == "table:table":
            self.table(el)
        else:  # text:section, and anything else that holds blocks
            for child in el.children:
                self.block(child, depth)

    def table(self, el) -> None:
        for child in el.children:
            if child.tag in _ROW_GROUPS:
                self.table(child)
            elif child.tag == "table:table-row":
                cells = []
                for cell in child.children:
                    if cell.tag != "table:table-cell":
                        continue  # covered (merged) cells
                    parts = []
                    for p in cell.children:
                        pieces = _pieces(p) if p.tag in ("text:p", "text:h") else [p.text_recursive]
                        for _ in range(sum(1 for x in pieces if x is BREAK)):
                            self.pages.turn()
                        parts.append("".join(x for x in pieces if x is not BREAK))
                    text = " ".join(" ".join(parts).split())
                    if text:
                        cells.append(text)
                self.b.add(ROW, " | ".join(cells))


def extract_odt(data: bytes, builder: TextBuilder) -> str | None:
    """Add the document's blocks to builder; returns the title from its metadata."""
    from odfdo import Document

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError("not an OpenDocument file (it is not a zip package); check it opens in LibreOffice")
    try:
        document = Document(io.BytesIO(data))
        if document.get_type() not in ("text", "text-template"):
            raise LoadError(
                f"an OpenDocument {document.get_type()}, not a text document; save it as .odt "
                "text, or as PDF"
            )
        body = document.body
        title = (document.meta.get_title() or "").strip()
    except LoadError:
        raise
    except Exception as exc:  # odfdo and lxml raise many kinds on a damaged package
        raise LoadError(
            f"not a readable OpenDocument text ({type(exc).__name__}: {exc}); open and re-save it "
            "in LibreOffice, or save it as PDF"
        ) from None
    reader = _Reader(document, builder)
    for child in body.children:
        reader.block(child)
    return title or None
