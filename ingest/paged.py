"""Page breaks inside a block, for formats whose text marks where pages turn (Word's rendered
page breaks, LibreOffice's soft page breaks): the block's text before a break stays on the old
page, and the text after it starts the new one, in the same block."""

from __future__ import annotations

from ingest.structure import TextBuilder, inline

# In a list of text pieces, where a page turns.
BREAK = object()


class Pages:
    """Counts pages from 1 and tells the builder where each starts; does nothing for a document
    that marks no page breaks (its page numbers are unknown, not all 1)."""

    def __init__(self, builder: TextBuilder, enabled: bool) -> None:
        self.b = builder
        self.enabled = enabled
        self.number = 1
        if enabled:
            builder.page(1)

    def turn(self) -> None:
        if self.enabled:
            self.number += 1
            self.b.page(self.number)


def split_at_breaks(pieces: list) -> list[str]:
    """The text between breaks: n breaks give n + 1 segments."""
    segments = [""]
    for piece in pieces:
        if piece is BREAK:
            segments.append("")
        else:
            segments[-1] += piece
    return segments


def add_paged(builder: TextBuilder, kind: str, pieces: list, level: int, pages: Pages) -> None:
    """Add one block made of text pieces and BREAKs; a break turns the page where it stands."""
    started = False
    before = ""  # the block's raw text so far, to see whether a break fell between words
    for i, segment in enumerate(split_at_breaks(pieces)):
        if i:
            pages.turn()
        if not started:
            n = len(builder.blocks)
            builder.add(kind, segment, level)
            started = len(builder.blocks) > n
        elif inline(segment):
            gap = before[-1:].isspace() or segment[:1].isspace()
            builder.extend_last(segment, separator=" " if gap else "")
        before += segment
