"""From the lines of plain text or a PDF's text layer to blocks: hard-wrapped lines are joined
into paragraphs (words broken by a hyphen at a line end are rejoined), bullets become list
items, numbered section titles become headings."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ingest.structure import HEADING, ITEM, PARAGRAPH, TextBuilder

# A bullet: the usual glyphs, the private-use glyphs of the Symbol and Wingdings fonts that
# PDFs use for them, "o" for second-level bullets, or "1." / "a)" / "(iv)" numbering.
BULLET = re.compile(
    r"^\s*(?:[\u2022\u25cf\u25aa\u25e6\u25a0\u25a1\u2023\u2219\u00b7\u2043*+\-\u2013o\uf0b7\uf0a7"
    r"\uf076\uf0d8\uf0fc\uf0a8]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?=\S)"
)
# "3.2 Scope", "1. Introduction", "Appendix A: Acronyms", "Chapter 4 Results"
NUMBERED_HEADING = re.compile(
    r"^\s*(?:(?P<num>\d+(?:\.\d+)*)\.?|(?:Appendix|Annex|Chapter|Section|Part)\s+[\dA-Z]+[.:]?)"
    r"\s+(?=[A-Z])"
)
_ENDS_SENTENCE = re.compile(r"[.!?:;\"\u201d')\]]\s*$")
# What ends a paragraph at a short line: a full stop, not a ";" or ":" inside a run-on list.
_ENDS_PARAGRAPH = re.compile(r"[.!?][\"\u201d')\]]*\s*$")
_HYPHENATED_END = re.compile(r"([A-Za-z]+)-$")
_WORD = re.compile(r"[A-Za-z]+")
# First halves of words that really are hyphenated ("self-evident", "well-known"): a line that
# ends with one of them and a hyphen keeps the hyphen.
_COMPOUND_HEADS = frozenset(
    "self well non cross long high low full part half ill so multi anti semi quasi co ex all "
    "one two three four five first second third short open real end user side time state".split()
)


def heading_level(line: str, width: float) -> int | None:
    """The level of a numbered section title ("3.2 Scope" -> 2), None for other lines."""
    m = NUMBERED_HEADING.match(line)
    if not m or len(line) > max(0.75 * width, 40) or _ENDS_SENTENCE.search(line.rstrip(":")):
        return None
    if len(line.split()) > 12:
        return None
    num = m.group("num")
    return num.count(".") + 1 if num else 1


class Joiner:
    """Feeds lines to a TextBuilder, deciding for each whether it continues the current block."""

    def __init__(self, builder: TextBuilder, width: float, vocabulary: Counter[str]) -> None:
        self.b = builder
        self.width = width
        self.vocabulary = vocabulary  # word counts of the document, for dehyphenation
        self.open = False  # the last block may be continued
        self.last_line = ""

    def end_block(self) -> None:
        self.open = False

    def line(self, line: str) -> None:
        text = line.strip()
        if not text:
            self.end_block()
            return
        level = heading_level(text, self.width)
        if level is not None and not self._continues(text):
            self.b.add(HEADING, text, level=level)
            self.open = False
        elif BULLET.match(text):
            self.b.add(ITEM, BULLET.sub("", text, count=1))
            self.open = True
        elif self.open and self._continues(text):
            self._join(text)
        else:
            self.b.add(PARAGRAPH, text)
            self.open = True
        self.last_line = text
        if self.open and self._ends_paragraph(text):
            self.open = False

    def _continues(self, text: str) -> bool:
        """Whether text carries on the previous line: it starts in lower case, or the previous
        line ran to the full width without ending a sentence."""
        if not self.open or not self.b.blocks:
            return False
        if text[0].islower():
            return True
        prev = self.last_line
        return len(prev) >= 0.8 * self.width and not _ENDS_PARAGRAPH.search(prev)

    def _ends_paragraph(self, text: str) -> bool:
        # A short line that ends a sentence ends its paragraph; a full-width one may go on.
        return bool(_ENDS_PARAGRAPH.search(text)) and len(text) < 0.8 * self.width

    def _join(self, text: str) -> None:
        m = _HYPHENATED_END.search(self.b.tail(40))
        first = _WORD.match(text)
        if m and first and text[0].islower():
            head, tail = m.group(1).lower(), first.group(0).lower()
            # both halves used as words elsewhere (each also counts once here, at the break),
            # and never written joined: a compound such as "time-consuming"
            seen = self.vocabulary
            real_hyphen = head in _COMPOUND_HEADS or (
                not seen.get(head + tail) and seen.get(head, 0) > 1 and seen.get(tail, 0) > 1
            )
            if not real_hyphen:  # "inter-" + "national": a word broken at the margin
                self.b.trim_last(1)
            self.b.extend_last(text, separator="")
            return
        self.b.extend_last(text)


# Hard wrapping is at 60 characters or more: shorter lines are never taken for wrapped ones.
MIN_WRAP_WIDTH = 60.0


def typical_width(lines: Iterable[str]) -> float:
    """The length of a full line: the 90th percentile of non-empty line lengths."""
    lengths = sorted(len(s.strip()) for s in lines if s.strip())
    if not lengths:
        return MIN_WRAP_WIDTH
    return max(MIN_WRAP_WIDTH, float(lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]))


def vocabulary(text: str) -> Counter[str]:
    """How often each word (lower-cased) occurs in the document."""
    return Counter(w.lower() for w in _WORD.findall(text))


def plain_text_blocks(text: str, builder: TextBuilder) -> str | None:
    """Blocks of a plain-text file: a blank line ends a paragraph, wrapped lines are joined,
    a paragraph starting in lower case continues the one before (a stray break mid-sentence),
    and a short first line without a full stop is the title. Returns that title."""
    lines = text.split("\n")
    joiner = Joiner(builder, typical_width(lines), vocabulary(text))
    title = None
    first = next((s.strip() for s in lines if s.strip()), "")
    if first and len(first) <= 120 and not _ENDS_SENTENCE.search(first) and not BULLET.match(first):
        title = first
    started = False
    blank_before = False
    for raw in lines:
        line = raw.strip()
        if not line:
            blank_before = True
            joiner.end_block()
            continue
        if not started and title is not None and line == title:
            builder.add(HEADING, line, level=1)
            started = True
            continue
        started = True
        if blank_before and line[0].islower() and builder.blocks and builder.blocks[-1].kind == PARAGRAPH:
            joiner.open = True  # "... from the U.S.\n\nbut has been ...": one sentence
        blank_before = False
        joiner.line(line)
    return title
