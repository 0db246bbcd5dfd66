"""Visible text of an HTML page, with its structure: headings, paragraphs, list items, code and
table rows. Scripts, styles, hidden elements and page chrome (navigation, sidebars, footers)
are left out.

The tree is walked once, iteratively, so time is linear in the page and nesting depth cannot
exhaust the stack.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW, TextBuilder, labelled_rows

_INVISIBLE = frozenset(
    "script style noscript template head svg canvas iframe object embed audio video map "
    "nav aside footer form button select option datalist dialog menu".split()
)
_CHROME_ROLES = frozenset({"navigation", "search", "complementary", "contentinfo", "menu", "menubar"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LISTS = frozenset({"ul", "ol", "dl", "menu"})
_ITEMS = frozenset({"li", "dt", "dd"})
# Elements that end the running text before them and start a new block.
_BLOCKS = frozenset(
    "address article blockquote body caption center details dialog div fieldset figcaption "
    "figure header hgroup hr html main p section summary table tbody thead tfoot ul ol dl".split()
)
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def _hidden(tag: Tag) -> bool:
    if tag.name in _INVISIBLE or tag.has_attr("hidden"):
        return True
    if tag.get("aria-hidden") == "true" or tag.get("role") in _CHROME_ROLES:
        return True
    style = str(tag.get("style", "")).replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


class _Walker:
    def __init__(self, builder: TextBuilder) -> None:
        self.b = builder
        self.buffer: list[str] = []
        self.kind = PARAGRAPH
        self.level = 0
        self.list_depth = -1
        # rows of the table being read: each cell's text pieces, and whether it is a <th>
        self.cells: list[list[tuple[list[str], bool]]] | None = None

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if self.cells is not None:
            if text.strip() and self.cells:
                if not self.cells[-1]:  # text in a row outside any cell
                    self.cells[-1].append(([], False))
                self.cells[-1][-1][0].append(text)
            return
        self.b.add(self.kind, text, level=self.level)
        self.kind, self.level = PARAGRAPH, 0

    def enter(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self.flush()
            return
        if name in _BLOCKS or name in _HEADINGS or name in _ITEMS or name in ("tr", "td", "th", "pre"):
            self.flush()
        if name in _LISTS:
            self.list_depth += 1
        elif name in _ITEMS:
            self.kind, self.level = ITEM, max(self.list_depth, 0)
        elif name in _HEADINGS:
            self.kind, self.level = HEADING, _HEADINGS[name]
        elif name == "table" and self.cells is None:
            self.cells = []
        elif name == "tr" and self.cells is not None:
            self.cells.append([])
        elif name in ("td", "th") and self.cells:
            self.cells[-1].append(([], name == "th"))

    def leave(self, tag: Tag) -> None:
        name = tag.name
        if name in _BLOCKS or name in _HEADINGS or name in _ITEMS or name in ("td", "th"):
            self.flush()
        if name in _LISTS:
            self.list_depth -= 1
        elif name == "table" and self.cells is not None:
            rows, self.cells = self.cells, None
            texts = [[" ".join(" ".join(parts).split()) for parts, _ in row] for row in rows]
            header = None
            if rows and rows[0] and all(is_th for _, is_th in rows[0]) and len(rows) > 1:
                header, texts = texts[0], texts[1:]
            for line in labelled_rows(texts, header):
                self.b.add(ROW, line)

    def text(self, node: NavigableString) -> None:
        self.buffer.append(str(node))

    def code(self, tag: Tag) -> None:
        self.flush()
        text = tag.get_text()
        if self.cells is not None:
            self.buffer.append(text)
        else:
            self.b.add(CODE, text)


def walk(root: Tag, builder: TextBuilder) -> None:
    w = _Walker(builder)
    # (node, entering): a node is pushed again with entering=False so its end is seen too.
    stack: list[tuple[object, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                w.text(node)
            continue
        if not isinstance(node, Tag):
            continue
        if not entering:
            w.leave(node)
            continue
        if node is not root and _hidden(node):
            continue
        if node.name == "pre":
            w.code(node)
            continue
        w.enter(node)
        stack.append((node, False))
        stack.extend((child, True) for child in reversed(node.contents))
    w.flush()


def _parse(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "html.parser")


def extract_html_into(markup: str, builder: TextBuilder) -> str | None:
    """Add the page's visible blocks to builder; returns the page's <title> or first heading."""
    soup = _parse(markup)
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None
    first = len(builder.blocks)
    walk(soup, builder)
    if not title:
        text = builder.text
        heading = next((b for b in builder.blocks[first:] if b.kind == HEADING and b.level <= 2), None)
        title = text[heading.start : heading.end] if heading else None
    return title or None
