"""Sentence boundaries with character offsets.

A small rule-based segmenter: NLTK's punkt and spaCy need model downloads, which this
project cannot do at run time, and pysbd is ~100x slower on long documents.
"""

from __future__ import annotations

import re

# Tokens that end in a period without ending a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft vs etc e.g i.e cf al approx ca no nos vol pp fig figs
    gen col lt sgt capt cmdr adm rev gov sen rep pres inc ltd co corp bros dept univ est
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)

# A candidate end: terminal punctuation (plus closing quotes/brackets) followed by whitespace,
# or a paragraph break, or a line break before a Markdown block (heading, list item, quote).
# A punctuation match may only start where a run of punctuation starts, and takes the run
# whole (possessive): otherwise a long run of dots is rescanned from each of its positions,
# which is quadratic.
_CANDIDATE = re.compile(
    r"""(?P<punct>(?<![.!?\u2026])[.!?\u2026]++[\"'\u201d\u2019)\]]*+)(?=\s)"""
    r"""|(?P<para>\n[ \t\u00a0]*\n)"""
    r"""|(?P<block>\n)(?=[ \t]*(?:[#>*+-]|\d+[.)])\s)"""
)
_WORD_BEFORE = re.compile(r"(\S+)$")
_FIRST_VISIBLE = re.compile(r"\s*(\S)")


def _is_abbreviation(text: str, punct_start: int) -> bool:
    match = _WORD_BEFORE.search(text, max(0, punct_start - 40), punct_start)
    if not match:
        return False
    word = match.group(1).lstrip("\"'(\u201c\u2018[")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # initials: "S. Korea", "J. Smith"
        return True
    if "." in word and all(len(p) <= 2 for p in word.split(".")):  # "U.S", "e.g"
        return True
    return word.lower() in _ABBREVIATIONS


def _starts_sentence(text: str, pos: int) -> bool:
    """True when the first visible character at or after pos can begin a sentence."""
    m = _FIRST_VISIBLE.match(text, pos)
    if not m:
        return True
    ch = m.group(1)
    return ch.isupper() or ch.isdigit() or ch in "\"'\u201c\u2018([*#-" or not ch.isalpha()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], whitespace trimmed, in order."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _CANDIDATE.finditer(text, start, end):
        if m.group("punct"):
            after = m.end()
            newline_follows = "\n" in text[after : after + 3]
            if not newline_follows and (
                _is_abbreviation(text, m.start()) or not _starts_sentence(text, after)
            ):
                continue
            cut = after
        else:
            cut = m.start()
        _add_trimmed(text, cursor, cut, spans)
        cursor = cut
    _add_trimmed(text, cursor, end, spans)
    return spans


def _add_trimmed(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    piece = text[a:b]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((a + lead, a + lead + len(stripped)))


def sentence_pieces(text: str) -> list[str]:
    """Pieces that concatenate back to exactly `text`, each holding one sentence."""
    spans = sentence_spans(text)
    if not spans:
        return [text] if text else []
    cuts = [0] + [s for s, _ in spans[1:]] + [len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:]) if a < b]
