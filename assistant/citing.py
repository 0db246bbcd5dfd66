"""Citations for the chosen quotes: each a verbatim span of its document, with the heading that
gives it meaning where it needs one, its page, and the short answer (a name, date or number)
inside the best quote."""

from __future__ import annotations

import re

from assistant.answer_types import Citation, ShortAnswer
from assistant.asking import Asked, numeric_tokens
from assistant.candidates import Candidate
from assistant.entities import new_spans
from ingest.split import HEADING_AT_KEY, HEADING_PAGE_KEY, page_of, path_headings


def citation(n: int, c: Candidate, start: int | None = None) -> Citation:
    """Citation n for candidate c, quoting from `start` (in the chunk) when given: from its
    heading on."""
    start = c.start if start is None else start
    offset = c.doc.metadata.get("start", 0)
    # the page is where the quote starts (at its heading, when it has one)
    return _cite(
        n, c, c.doc.page_content[start : c.end], (offset + start, offset + c.end),
        page_of(c.doc.metadata, start), c.headings,
    )


def _cite(n: int, c: Candidate, quote: str, span: tuple[int, int], page, headings: str) -> Citation:
    meta = c.doc.metadata
    return Citation(
        n=n, source=meta.get("source", ""), quote=quote, start=span[0], end=span[1],
        score=round(c.score, 4), title=meta.get("title", ""), passage=c.doc.page_content,
        passage_start=meta.get("start", 0), page=page, page_label=meta.get("page_label", ""),
        headings=headings,
    )


def needs_context(c: Candidate) -> bool:
    """Whether the quote means little without the heading it sits under: a short line such as
    "Default: False.", or one whose version, year or type is given only by its heading."""
    f = c.features
    return bool(c.headings) and bool(f.get("short_unit") or f.get("type_ctx") or f.get("cons_ctx"))


_WORD = re.compile(r"\w+")


def short_answer(asked: Asked, cite: Citation) -> ShortAnswer | None:
    """For a question that asks for a name, a date or a number: the span of the quote that is
    one, nearest to the words the quote shares with the question."""
    if not asked.wants_short:
        return None
    spans = new_spans(cite.quote, asked.type, asked.terms)
    if not spans:
        return None
    from assistant.text import terms

    anchors = [
        m.start() for m in _WORD.finditer(cite.quote) if set(terms(m.group(0))) & asked.terms
    ]
    def distance(span) -> float:
        return min((abs(span.start - a) for a in anchors), default=span.start)

    best = min(spans, key=distance)
    return ShortAnswer(text=cite.quote[best.start : best.end], n=cite.n, start=best.start, end=best.end)


def short_for(asked: Asked, cites: list[Citation], at: int) -> ShortAnswer | None:
    """The short answer inside the quote cited at `at`, else inside the heading cited for it:
    the version or date is in the heading ("v2.14.0a1 (2026-05-22)" above "Drop support for
    Python 3.9")."""
    short = short_answer(asked, cites[at])
    heading = cites[at - 1] if at else None
    if short is None and heading is not None and heading.quote in cites[at].headings.split(" > "):
        short = short_answer(asked, heading)
    return short


# A quote that needs its heading starts at the heading when the two are at most this far apart.
HEADING_REACH = 200


def citations_for(picked: list[Candidate], asked: Asked | None = None) -> list[Citation]:
    """A citation per quote. A quote that means little without its heading ("Default: False."
    under "init_forbid_extra", a changelog line under its version) is quoted from the heading
    on when the heading is close above it; otherwise the heading line is cited on its own,
    just before it. The heading is the nearest one, or, when the question's answer type or
    number is only in the path, the nearest heading that holds it ("v2.1 (2024-05-02)" above
    "Changes"). Every citation is a verbatim span of the document."""
    cites: list[Citation] = []
    for c in picked:
        start = None
        part = context_heading(c, asked) if needs_context(c) else None
        if part is not None and part[1][1] <= c.doc_start:
            heading, span = part
            chunk_start = c.doc.metadata.get("start", 0)
            if c.doc_start - span[1] <= HEADING_REACH and span[0] >= chunk_start:
                start = span[0] - chunk_start  # the heading is in this chunk, just above
            elif not any(x.source == c.source and x.start == span[0] for x in cites):
                cites.append(heading_citation(len(cites) + 1, c, span, heading))
        cites.append(citation(len(cites) + 1, c, start))
    return cites


def context_heading(c: Candidate, asked: Asked | None) -> tuple[str, tuple[int, int]] | None:
    """The heading of c's path that gives its quote meaning: the nearest one that holds the
    answer type or a number the question asks about, else the nearest."""
    parts = c.heading_parts
    if not parts:
        return None
    if asked is not None and (c.features.get("type_ctx") or c.features.get("cons_ctx")):
        wanted = {n.replace(",", "") for n in asked.years | asked.numbers}
        for title, span in reversed(parts):
            if numeric_tokens(title) & wanted or (
                c.features.get("type_ctx") and new_spans(title, asked.type, asked.terms)
            ):
                return title, span
    return parts[-1]


def heading_citation(n: int, c: Candidate, span: tuple[int, int], heading: str) -> Citation:
    parts = c.headings.split(" > ")
    # the heading's own path: "Release notes > v3.2.0", not the quote's "... > v3.2.0 > Changes"
    path = " > ".join(parts[: parts.index(heading) + 1]) if heading in parts else c.headings
    return _cite(n, c, heading, span, _heading_page(c.doc.metadata, span[0]), path)


def _heading_page(meta: dict, start: int) -> int | None:
    """The page of a heading at document offset `start`: recorded at ingest (for each heading
    of the path, or for the nearest only in an index written before), found from the chunk's
    page breaks when the heading is inside the chunk; None rather than a guess."""
    recorded = {a: page for a, _, page in path_headings(meta)}
    if recorded.get(start) is not None:
        return recorded[start]
    nearest = str(meta.get(HEADING_AT_KEY) or "").split(",")[0]
    if meta.get(HEADING_PAGE_KEY) is not None and nearest == str(start):
        return meta[HEADING_PAGE_KEY]
    offset = meta.get("start", 0)
    return page_of(meta, start - offset) if start >= offset else None


def answer_text(cites: list[Citation]) -> str:
    """Each quote followed by its marker: nothing but the documents' own words."""
    return " ".join(f"{cite.quote} [{cite.n}]" for cite in cites)
