"""HTML for the browser chat, built only from escaped text.

Everything shown in the chat comes from documents (quotes, passages, names, extractive answers)
or from an LLM that read them, so it is treated as hostile: every piece of it goes through
`text()` before it is placed between our own tags. No gradio here, so this is plain to test.
"""

from __future__ import annotations

import html
import re
import time

# Besides HTML's own specials, these would mean something to the Markdown renderer of the
# chat (emphasis, links, tables, math) or to the JS templates of gr.HTML (`${...}`); as
# numeric entities they are just characters.
_INERT = {c: f"&#{ord(c)};" for c in "$`{}\\*_[]#|~"}
_CITE = re.compile(r"&#91;(\d+)&#93;")


def text(value: object) -> str:
    """Document text as inert HTML: shows every character, runs nothing, formats nothing.
    Newlines become <br> so the whole message stays one line (one HTML block for Markdown)."""
    # "'" stays as it is: harmless in text and in our double-quoted attributes, and the chat's
    # renderer shows an escaped apostrophe (&#x27; or &#39;) literally
    escaped = html.escape(str(value), quote=False).replace('"', "&quot;")
    escaped = "".join(_INERT.get(c, c) for c in escaped)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def attr(value: object) -> str:
    """Text for inside a quoted attribute value."""
    return text(str(value).replace("\r", " ").replace("\n", " "))


def answer_html(
    answer_text: str, flags: list | None = None, *, streaming: bool = False,
    quotes: dict[int, str] | None = None,
) -> str:
    """The answer with its [n] markers as links to source n (hovering shows quotes[n]);
    sentences the LLM's citations do not back are marked where their offsets say, so nobody
    takes them for checked facts."""
    pieces, pos = [], 0
    for start, end, reason in flag_spans(answer_text, flags or []):
        pieces.append(_with_links(text(answer_text[pos:start]), quotes))
        title = attr(f"Not backed by its citations: {reason}")
        pieces.append(
            f'<span class="da-flagged" title="{title}">⚠ '
            f"{_with_links(text(answer_text[start:end]), quotes)}</span>"
        )
        pos = end
    pieces.append(_with_links(text(answer_text[pos:]), quotes))
    cursor = '<span class="da-cursor">▍</span>' if streaming else ""
    return f'<div class="da-answer">{"".join(pieces)}{cursor}</div>'


def _with_links(escaped: str, quotes: dict[int, str] | None) -> str:
    """[n] -> a link that the page script (ui/style.py) makes open source n. The number is
    also in a class name: the chat's sanitiser keeps classes, whatever it does to others."""
    if quotes is None:  # still streaming: no sources to open yet
        return _CITE.sub(r'<span class="da-cite">&#91;\1&#93;</span>', escaped)

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        quote = quotes.get(n)
        title = f' title="{attr(bare(quote))}"' if quote else ""
        return (
            f'<a class="da-cite da-cite-{n}" href="#da-src-{n}" role="button"{title}>'
            f"&#91;{n}&#93;</a>"
        )

    return _CITE.sub(link, escaped)


def flag_spans(answer_text: str, flags: list) -> list[tuple[int, int, str]]:
    """(start, end, reason) of each flagged sentence, from the offsets the verifier recorded
    (Flag.start/end into Answer.text), never found again by searching. A flag without usable
    offsets is listed under the answer but not marked in it; overlapping ones are marked once."""
    spans: list[tuple[int, int, str]] = []
    for flag in flags:
        start, end = int(getattr(flag, "start", 0) or 0), int(getattr(flag, "end", 0) or 0)
        if not 0 <= start < end <= len(answer_text):
            continue
        if not any(s < end and start < e for s, e, _ in spans):
            spans.append((start, end, getattr(flag, "reason", "")))
    return sorted(spans)


_QUOTE_MARKS = "\"'“”‘’„‚«»‹›「」『』"


def bare(quote: str) -> str:
    """A quote without the quote marks it may already start or end with (a remark quoted in
    a news article), so wrapping it in our own marks never doubles them."""
    quote = " ".join((quote or "").split())
    return quote.strip(_QUOTE_MARKS).strip() or quote


def highlighted_passage(citation) -> str:
    """The passage around the quote with the quote marked. The offsets say where the quote
    sits; when they do not agree with the text (an older index), the quote is searched for."""
    passage, quote = citation.passage or "", citation.quote or ""
    at = citation.start - citation.passage_start
    if not (0 <= at and passage[at : at + len(quote)] == quote and quote):
        at = passage.find(quote) if quote else -1
    if at < 0:
        extra = f'<div class="da-context">{text(passage)}</div>' if passage else ""
        return f"<mark>{text(quote)}</mark>{extra}"
    end = at + len(quote)
    return f"{text(passage[:at])}<mark>{text(passage[at:end])}</mark>{text(passage[end:])}"


def source_html(citation) -> str:
    """One source, collapsed to its name and quote; the class da-src-<n> is what a click on
    [n] in the answer opens (ui/style.py)."""
    page = f" · {text(citation.where)}" if citation.where else ""
    n = int(citation.n)
    return (
        f'<details class="da-source da-src-{n}"><summary>'
        f'<span class="da-cite">&#91;{n}&#93;</span> '
        f'<span class="da-name">{text(citation.name)}</span>{page}'
        + _headings(citation)
        + f'<div class="da-quote">“{text(_short(bare(citation.quote)))}”</div>'
        "</summary>"
        f'<div class="da-passage">{highlighted_passage(citation)}</div>'
        "</details>"
    )


def _headings(citation) -> str:
    path = getattr(citation, "headings", "")
    return f' <span class="da-headings">› {text(path)}</span>' if path else ""


def _short(quote: str, limit: int = 220) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "…"


def _count(n: int, noun: str) -> str:
    return f"{int(n)} {noun}{'s' * (int(n) != 1)}"


def documents_html(documents: list[dict], now: float | None = None) -> str:
    """The documents panel: name, chunks, when ingested (names are escaped like any text)."""
    if not documents:
        return '<div class="da-empty">No documents yet: add some below.</div>'
    items = "".join(
        f'<li class="da-doc"><div class="da-docname" title="{attr(d["source"])}">'
        f'{text(d["name"])}</div><div class="da-docmeta">{_count(d["chunks"], "chunk")} · '
        f"ingested {when(d['ingested_at'], now)}</div></li>"
        for d in documents
    )
    return f'<ul class="da-doclist">{items}</ul>'


def message_html(answer, asked: str | None = None) -> str:
    """A finished Answer: text, notices, then its sources (or, for a refusal, the closest
    passages, labelled so that nobody reads them as the answer). When a follow-up was resolved
    into another question (`asked` differs from answer.question), that question is shown, so
    the reader sees what was searched for."""
    parts = []
    if not answer.found:
        parts.append(f'<div class="da-refusal">{text(answer.text)}</div>')
    else:
        if answer.short is not None:
            parts.append(f'<div class="da-short">{text(answer.short.text)}</div>')
        quotes = {int(c.n): c.quote for c in answer.citations}
        parts.append(answer_html(answer.text, answer.flags, quotes=quotes))
    if answer.flags:
        items = "".join(
            f"<li>“{text(bare(f.sentence))}” ({text(f.reason)})</li>" for f in answer.flags
        )
        parts.append(
            '<div class="da-flags">⚠ These sentences are not backed by the cited passages; '
            f"check them yourself:<ul>{items}</ul></div>"
        )
    if answer.notice:
        parts.append(f'<div class="da-notice">ℹ {text(answer.notice)}</div>')
    if answer.citations:
        heading = (
            "Sources (click one to see the passage)"
            if answer.found
            else "Closest passages (they do not answer the question)"
        )
        sources = "".join(source_html(c) for c in answer.citations)
        parts.append(
            f'<div class="da-sources"><div class="da-heading">{heading}</div>{sources}</div>'
        )
    meta = (
        f"{text(answer.mode)} answer · {text(answer.confidence_words)} "
        f"({float(answer.confidence):.2f})"
    )
    resolved = " ".join((answer.question or "").split())
    if asked is not None and resolved and resolved != " ".join(asked.split()):
        meta += f' · <span class="da-resolved">searched for “{text(resolved)}”</span>'
    parts.append(f'<div class="da-meta">{meta}</div>')
    # one container per message: a click on [n] opens source n of this message, not another's
    return '<div class="da-msg">' + "".join(parts) + "</div>"


def notice_html(message: str) -> str:
    return f'<div class="da-notice">ℹ {text(message)}</div>'


def error_html(message: str) -> str:
    return f'<div class="da-error">⚠ {text(message)}</div>'


def when(epoch: float | None, now: float | None = None) -> str:
    """'3 min ago' for today, a date otherwise: the panel is read at a glance."""
    if not epoch:
        return "unknown"
    age = (now or time.time()) - epoch
    if age < 60:
        return "just now"
    if age < 3600:
        return f"{int(age // 60)} min ago"
    if age < 86400:
        return f"{int(age // 3600)} h ago"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def ingest_results_html(results: list[tuple[str, str, bool]]) -> str:
    """One line per uploaded file: (name, what happened, ok)."""
    if not results:
        return ""
    rows = "".join(
        f'<li class="{"da-ok" if ok else "da-failed"}">{"✓" if ok else "✗"} '
        f"<b>{text(name)}</b>: {text(what)}</li>"
        for name, what, ok in results
    )
    return f'<ul class="da-results">{rows}</ul>'
