"""Reading an LLM reply: which sentence each [n] belongs to, with the prompt markup it echoes
stripped first.

Both citation styles are common: "X [1]." (the marker inside the sentence) and "X. [1]" (after
the full stop, the style the extractive answers use). A sentence splitter puts the "[1]" of
"X. [1] Y." at the start of the *next* sentence, so markers that open a sentence are given back
to the one before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sentences import sentence_spans

# One marker: [1], [1, 2] or [1,2]. Runs such as [1][2] are several markers.
MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])+")
# What the model may copy from the prompt (prompts/answer.txt fences the passages with these
# tags), raw or escaped; it is stripped, never checked as a claim.
_MARKUP = re.compile(
    r"</?passages?\b[^>\n]{0,200}>|&lt;/?passages?\b.{0,200}?&gt;", re.IGNORECASE
)
# "Seoul.[1] Next" has no space for the sentence splitter to cut at.
_GLUED = re.compile(r"([.!?])(\[\d)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


@dataclass
class Claim:
    """One sentence of a reply."""

    text: str  # the sentence without its markers, e.g. "Japan should seek consent."
    start: int  # offsets in the cleaned reply, covering the sentence and its markers
    end: int
    cited: list[int]  # every passage number it cites, in order, valid or not


def clean_reply(reply: str) -> str:
    """The reply as the user sees it: echoed prompt markup removed, "X.[1]" spaced."""
    text = _MARKUP.sub(" ", reply)
    text = _GLUED.sub(r"\1 \2", text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(lines).strip()


def _numbers(raw: str) -> list[int]:
    return [int(n) for group in MARKER.findall(raw) for n in group.split(",")]


def _without_markers(raw: str) -> str:
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(MARKER.sub(" ", raw).split()))


def claims(text: str) -> list[Claim]:
    """The sentences of a cleaned reply (see clean_reply), each with the markers that belong to
    it. A marker-only fragment ("[1]") is not a claim: its markers go to the sentence before."""
    out: list[Claim] = []
    for a, b in sentence_spans(text):
        lead = _LEADING_MARKERS.match(text, a, b)
        if lead and out:  # "X. [1] Y.": the [1] closes X
            out[-1].cited += _numbers(text[a : lead.end()])
            out[-1].end = lead.end()
            a = lead.end()
            while a < b and text[a].isspace():
                a += 1
        raw = text[a:b]
        sentence = _without_markers(raw)
        if not sentence.strip(" .,;:!?-*\"'()"):
            if out and not lead:  # a stray "[1]" closing the previous sentence
                out[-1].cited += _numbers(raw)
                out[-1].end = b
            continue
        out.append(Claim(sentence, a, b, _numbers(raw)))
    return out
