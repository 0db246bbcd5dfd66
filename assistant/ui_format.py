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


def answer_html(answer_text: str, flags: list | None = None, *, streaming: bool = False) -> str:
    """The answer with its [n] markers as badges; sentences the LLM's citations do not back are
    marked, so nobody takes them for checked facts."""
    pieces, pos = [], 0
    for start, end, reason in _flag_spans(answer_text, flags or []):
        pieces.append(_with_badges(text(answer_text[pos:start])))
        title = attr(f"Not backed by its citations: {reason}")
        pieces.append(
            f'<span class="da-flagged" title="{title}">⚠ '
            f"{_with_badges(text(answer_text[start:end]))}</span>"
        )
        pos = end
    pieces.append(_with_badges(text(answer_text[pos:])))
    cursor = '<span class="da-cursor">▍</span>' if streaming else ""
    return f'<div class="da-answer">{"".join(pieces)}{cursor}</div>'


def _with_badges(escaped: str) -> str:
    return _CITE.sub(r'<span class="da-cite">&#91;\1&#93;</span>', escaped)


def _flag_spans(answer_text: str, flags: list) -> list[tuple[int, int, str]]:
    spans = []
    for flag in flags:
        found = _sentence_pattern(getattr(flag, "sentence", "") or "").search(answer_text)
        if found and not any(s < found.end() and found.start() < e for s, e, _ in spans):
            spans.append((found.start(), found.end(), getattr(flag, "reason", "")))
    return sorted(spans)


_MARKERS = r"(?:\s*\[\d+\])*"  # flagged sentences come without their [n]; the text has them


def _sentence_pattern(sentence: str) -> re.Pattern:
    words = sentence.split()
    if not words:
        return re.compile(r"(?!)")  # matches nothing
    last = words[-1]
    end = ""
    if len(last) > 1 and last[-1] in ".!?":  # "Japan [1]." is the sentence "Japan."
        words[-1], end = last[:-1], _MARKERS + r"\s*" + re.escape(last[-1])
    return re.compile((_MARKERS + r"\s+").join(map(re.escape, words)) + end)


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
    page = f" · {text(citation.where)}" if citation.where else ""
    return (
        '<details class="da-source"><summary>'
        f'<span class="da-cite">&#91;{int(citation.n)}&#93;</span> '
        f'<span class="da-name">{text(citation.name)}</span>{page}'
        + _headings(citation)
        + f'<div class="da-quote">“{text(_short(citation.quote))}”</div>'
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
        parts.append(answer_html(answer.text, answer.flags))
    if answer.flags:
        items = "".join(
            f"<li>“{text(f.sentence)}” ({text(f.reason)})</li>" for f in answer.flags
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
    return "".join(parts)


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


CSS = """
.da-answer { line-height: 1.55; }
.da-cite { display: inline-block; font-size: 0.75em; font-weight: 600; padding: 0 0.35em;
  margin: 0 0.1em; border-radius: 0.6em; background: var(--color-accent-soft);
  color: var(--color-accent); vertical-align: super; line-height: 1.4; }
.da-cursor { animation: da-blink 1s steps(1) infinite; opacity: 0.6; }
@keyframes da-blink { 50% { opacity: 0; } }
.da-refusal { font-weight: 600; }
.da-flagged { background: rgba(245, 158, 11, 0.18); border-bottom: 2px dotted #d97706; }
.da-flags, .da-notice, .da-error { margin-top: 0.6em; font-size: 0.9em; padding: 0.4em 0.6em;
  border-radius: 0.5em; background: var(--background-fill-secondary); }
.da-error { border-left: 3px solid #dc2626; }
.da-sources { margin-top: 0.8em; display: flex; flex-direction: column; gap: 0.4em; }
.da-heading { font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; opacity: 0.7; }
.da-source { border: 1px solid var(--border-color-primary); border-radius: 0.6em;
  padding: 0.4em 0.7em; background: var(--background-fill-primary); }
.da-source summary { cursor: pointer; list-style-position: outside; }
.da-name { font-weight: 600; }
.da-headings { font-size: 0.8em; opacity: 0.7; margin-left: 0.3em; }
.da-quote { font-size: 0.9em; opacity: 0.85; margin-top: 0.2em; }
.da-short { font-weight: 700; font-size: 1.15em; margin-bottom: 0.3em; }
.da-passage { margin-top: 0.5em; padding-top: 0.5em; font-size: 0.9em; white-space: normal;
  border-top: 1px dashed var(--border-color-primary); }
.da-passage mark, .da-source mark { background: rgba(250, 204, 21, 0.45); color: inherit;
  padding: 0 0.1em; border-radius: 0.2em; }
.da-meta { margin-top: 0.5em; font-size: 0.75em; opacity: 0.6; }
.da-results { list-style: none; padding-left: 0; margin: 0; }
.da-results li { padding: 0.15em 0; }
.da-ok { color: var(--body-text-color); }
.da-failed { color: #dc2626; }
#da-status { font-size: 0.9em; opacity: 0.8; }
.da-doclist { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column;
  gap: 0.35em; max-height: 40vh; overflow-y: auto; }
.da-doc { padding: 0.45em 0.6em; border-radius: 0.5em;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-primary); }
.da-docname { font-weight: 600; overflow-wrap: anywhere; }
.da-docmeta, .da-empty { font-size: 0.8em; opacity: 0.7; }
"""
