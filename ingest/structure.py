"""A document's structure as data: the blocks of its extracted text (headings, paragraphs, list
items, code, table rows) with their offsets, and the page each one starts on.

Every format's extractor builds its extracted text through a `TextBuilder`, block by block, so
the structure and the text come from one pass and the offsets are exact by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.clean import is_boilerplate

# Block kinds. A heading is context, never an answer on its own; an item is a list item with
# its continuation; a row is one table row; code keeps its line breaks.
HEADING, PARAGRAPH, ITEM, CODE, ROW = "heading", "paragraph", "item", "code", "row"
KINDS = (HEADING, PARAGRAPH, ITEM, CODE, ROW)
_SPACES = re.compile(r"\s+")
# Zero-width and soft-hyphen characters: invisible, and they split words for the tokenizers.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class Block:
    kind: str
    start: int  # offsets into the extracted text
    end: int
    level: int = 0  # heading level (1 = top), or list nesting depth (0 = top)


def inline(text: str) -> str:
    """Running text as one line: every whitespace run (line breaks included) becomes a space."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def verbatim(text: str) -> str:
    """Code or preformatted text: line breaks kept, trailing spaces and blank edges dropped."""
    lines = [line.rstrip() for line in _INVISIBLE.sub("", text).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


class TextBuilder:
    """Appends blocks to the extracted text. Blocks are separated by a blank line, except that
    consecutive list items and table rows are separated by a single line break, so a list reads
    as a list. `page(n)` marks where page n starts."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.blocks: list[Block] = []
        self.pages: list[tuple[int, int]] = []
        self._pending_page: int | None = None

    def page(self, number: int) -> None:
        self._pending_page = number

    def add(self, kind: str, text: str, level: int = 0) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown block kind {kind!r}")
        text = verbatim(text) if kind == CODE else inline(text)
        if not text or (kind != CODE and is_boilerplate(text)):
            return
        if self.blocks:
            previous = self.blocks[-1].kind
            tight = kind == previous and kind in (ITEM, ROW)
            self._append("\n" if tight else "\n\n")
        self._mark_page()
        start = self._length
        self._append(text)
        self.blocks.append(Block(kind, start, self._length, level))

    def extend_last(self, text: str, separator: str = " ") -> None:
        """Continue the last block on the same line (a wrapped line, a paragraph that runs on
        across a page break)."""
        text = inline(text)
        if not text:
            return
        if not self.blocks:
            return self.add(PARAGRAPH, text)
        last = self.blocks[-1]
        self._append(separator)
        self._mark_page()
        self._append(text)
        self.blocks[-1] = Block(last.kind, last.start, self._length, last.level)

    def trim_last(self, n: int) -> None:
        """Drop the last n characters of the last block (a hyphen that only broke a word)."""
        last = self.blocks[-1]
        if n <= 0 or last.end - last.start <= n:
            return
        tail = self._parts[-1]
        while n > 0:
            cut = min(n, len(tail))
            self._parts[-1] = tail[: len(tail) - cut]
            self._length -= cut
            n -= cut
            if not self._parts[-1]:
                self._parts.pop()
            tail = self._parts[-1]
        self.blocks[-1] = Block(last.kind, last.start, self._length, last.level)

    def _mark_page(self) -> None:
        if self._pending_page is not None:
            if not self.pages or self.pages[-1][1] != self._pending_page:
                self.pages.append((self._length, self._pending_page))
            self._pending_page = None

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._length += len(piece)

    def tail(self, n: int) -> str:
        """The last n characters, without joining the whole text (callers ask once per line)."""
        out, have = [], 0
        for part in reversed(self._parts):
            out.append(part)
            have += len(part)
            if have >= n:
                break
        return "".join(reversed(out))[-n:]

    @property
    def text(self) -> str:
        return "".join(self._parts)


def heading_stacks(blocks: list[Block]) -> list[list[Block]]:
    """For each block, the headings it sits under, outermost first; a heading's own stack ends
    with itself."""
    stack: list[Block] = []
    out = []
    for block in blocks:
        if block.kind == HEADING:
            while stack and stack[-1].level >= block.level:
                stack.pop()
            stack.append(block)
        out.append(list(stack))
    return out


def heading_path(text: str, stack: list[Block]) -> str:
    """The titles of a heading stack as a path: "Guide > CORS > Preflight"."""
    return " > ".join(text[h.start : h.end] for h in stack)


def heading_paths(text: str, blocks: list[Block]) -> list[str]:
    """For each block, the path of headings it sits under; a heading's own path ends with
    itself."""
    return [heading_path(text, stack) for stack in heading_stacks(blocks)]


def labelled_rows(rows: list[list[str]], header: list[str] | None) -> list[str]:
    """Table rows as lines that stand on their own: with a header, each cell is labelled by its
    column ("Role: Abigaille | Voice type: soprano"), so a row answers a question about its
    column without the header row beside it; empty cells are left out."""
    out = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cell = cell.strip()
            if not cell:
                continue
            label = header[i].strip() if header and i < len(header) else ""
            cells.append(f"{label}: {cell}" if label and label != cell else cell)
        if cells:
            out.append(" | ".join(cells))
    return out
