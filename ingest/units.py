"""Answer units: the pieces of a document an answer can quote, and that get a vector each.

They follow the structure: a paragraph gives its sentences; a list item is one unit with its
continuation (cut into sentences only when it is long); a code block and a table row are one
unit each; a heading is a unit too, but only as context (it is never quoted on its own).
Units never overlap and are in document order.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.sentences import sentence_spans
from ingest.structure import CODE, HEADING, ITEM, PARAGRAPH, ROW

# A list item up to this long stays whole: "`max_age` - Sets ... Defaults to 600."
MAX_ITEM_CHARS = 500
# One-letter kind codes, as stored in chunk metadata.
SENTENCE = "s"
CODES = {PARAGRAPH: SENTENCE, ITEM: "i", CODE: "c", ROW: "r", HEADING: "h"}


@dataclass(frozen=True)
class Unit:
    start: int  # offsets into the document's extracted text
    end: int
    kind: str  # one of CODES' values
    block: int  # index of its block in LoadedDocument.blocks


def _cut(text: str, start: int, end: int, limit: int, at: str) -> list[tuple[int, int]]:
    """Spans of at most `limit` characters, cut at the last `at` (space or newline) before it."""
    spans = []
    while end - start > limit:
        cut = text.rfind(at, start + 1, start + limit)
        cut = cut if cut > start else start + limit
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


def answer_units(doc, max_chars: int) -> list[Unit]:
    """The units of a LoadedDocument, none longer than max_chars (longer ones are cut)."""
    text = doc.text
    blocks = doc.blocks
    if not blocks:  # a document built without structure: one paragraph of sentences
        from ingest.structure import Block

        blocks = [Block(PARAGRAPH, 0, len(text))]
    units: list[Unit] = []
    for i, block in enumerate(blocks):
        code = CODES[block.kind]
        if block.kind in (CODE, ROW, HEADING) or (
            block.kind == ITEM and block.end - block.start <= MAX_ITEM_CHARS
        ):
            spans = [(block.start, block.end)]
            if block.kind == CODE:
                spans = _cut(text, block.start, block.end, max_chars, "\n")
        else:
            spans = sentence_spans(text, block.start, block.end) or [(block.start, block.end)]
        for a, b in spans:
            for c, d in _cut(text, a, b, max_chars, " "):
                units.append(Unit(c, d, code, i))
    return units


def encode_units(units: list[Unit], offset: int) -> str:
    """Spans relative to `offset` with their kinds, as one metadata string: "0,52,s;53,80,i"."""
    return ";".join(f"{u.start - offset},{u.end - offset},{u.kind}" for u in units)


def decode_units(raw: str) -> list[tuple[int, int, str]]:
    out = []
    for item in filter(None, (raw or "").split(";")):
        a, b, kind = item.split(",")
        out.append((int(a), int(b), kind))
    return out
