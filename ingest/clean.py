"""Normalise extracted text and drop site boilerplate lines."""

from __future__ import annotations

import re

# Whole lines that are site chrome, not content. Matched case-insensitively against a line
# with its surrounding whitespace and punctuation removed; anything else is kept.
BOILERPLATE_LINES = frozenset(
    {
        "back to top",
        "return to top",
        "skip to content",
        "skip to main content",
        "skip navigation",
        "share this article",
        "share this story",
        "print this article",
        "advertisement",
        "click here to subscribe",
        "all rights reserved",
        "toggle navigation",
        "cookie settings",
        "accept cookies",
    }
)

_EDGE_PUNCT = " \t\u00a0*_#>|[](){}^<-=+~\u2191\u25b2"
_BLANK_RUN = re.compile(r"\n{3,}")


def is_boilerplate(line: str) -> bool:
    return line.strip(_EDGE_PUNCT).strip().lower() in BOILERPLATE_LINES


def clean_text(raw: str, keep_indent: bool = False) -> str:
    """Strip per-line whitespace (indentation too unless keep_indent), drop boilerplate lines,
    collapse runs of blank lines: plain text before its lines become blocks."""
    lines = []
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.rstrip() if keep_indent else line.strip()
        if is_boilerplate(line):
            continue
        lines.append(line)
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()
