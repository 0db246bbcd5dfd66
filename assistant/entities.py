"""Spans in a sentence that can answer a typed question: dates, numbers and amounts, and names
(people, organisations, places). Regular expressions over surface forms: fast enough to run
on every candidate sentence of every question, and they need no model.

Names are runs of capitalised words; whether a name is a person, a place or an organisation is
not decided here (the question's other words usually settle that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.asking import DATE, NUMBER, ORG, PERSON, PLACE

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
DATE_RX = re.compile(
    rf"\b(?:(?:early|mid|late)[- ])?(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:{_MONTHS})\.?"
    rf"(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+(?:1[5-9]\d\d|20\d\d))?)\b"
    rf"|\b(?:{_DAYS})\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b(?:(?:early|mid|late)[- ])?(?:1[5-9]\d\d|20\d\d)(?:\s*[-\u2013]\s*(?:\d{2}|\d{4}))?s?\b"
    r"|\b(?:1[5-9]|20)\d0s\b"
    # times of day: "10:30", "6 p.m.", "at six", "noon"
    r"|\b\d{1,2}:\d{2}\b(?:\s?[ap]\.?m\b\.?)?|\b\d{1,2}\s?[ap]\.?m\b\.?"
    r"|\b(?:noon|midnight|dawn|dusk|morning|evening|afternoon|tonight)\b"
    r"|\bat (?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b",
    re.I,
)
# A month written alone in lower case is a word: "httpx may enable", "the march".
_LOWER_MONTH = re.compile(rf"(?:{_MONTHS})\.?")
# "v2.13", "0.24.1", "2.14.0b1": a release, for "which version" and "since when" questions.
# Not after "/": "HTTP/1.1" is the protocol's version, "/docs/2.1" a path, not a release.
VERSION_RX = re.compile(
    r"(?<!/)\bv\d+(?:\.\d+)+(?:[ab]\d+|rc\d+)?\b|(?<!/)\b\d+\.\d+(?:\.\d+)+(?:[ab]\d+|rc\d+)?\b"
    r"|(?<!/)\b\d+\.\d+(?=\s|$|[,;)])"
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundred|thousand|million|billion|trillion|dozen|half|twice|once|double|triple|quarter|"
    "several|dozens|hundreds|thousands|millions|billions"
)
_SCALE = r"(?:\s(?:hundred|thousand|million|billion|trillion)\b)?"
NUMBER_RX = re.compile(
    rf"(?:[$\u00a3\u20ac\u00a5]\s?)?\b\d[\d,.\u00a0]*\d\b{_SCALE}(?:\s?(?:%|percent|per cent))?|"
    r"(?:[$\u00a3\u20ac\u00a5]\s?)?\b\d\b(?:\s?(?:%|percent))?|"
    rf"\b(?:{_NUMBER_WORDS})\b(?:[- ](?:{_NUMBER_WORDS})\b)*",
    re.I,
)
# A run of capitalised words, allowing lower-case joiners inside ("Bank of England",
# "Noh Kwang-il") and initials ("S. Korea").
_NAME_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z]\.(?=[ \t][A-Z])|[A-Z][\w'\u2019\-]*)"
NAME_RX = re.compile(
    # words of one name are on one line: a heading and the sentence under it are not one name
    rf"\b{_NAME_WORD}(?:[ \t\u00a0]+(?:(?:of|de|del|la|van|von|der|the|and|for|du|al)[ \t]+)?"
    rf"(?:{_NAME_WORD}|\d+\b))*"
)
# Capitalised words that are not names when they start a sentence or stand alone.
_NOT_NAMES = frozenset(
    """a an the this that these those it its he she they we i you his her their our my your
    in on at by for from with to of as and or but if when while after before since until
    what which who whom whose where why how is are was were be been do does did has have had
    there here then also however although though because so yet not no yes all any each every
    some many most more other such only one two three first second last new monday tuesday
    wednesday thursday friday saturday sunday note see use using for example e.g i.e""".split()
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # DATE, NUMBER or "name"

    def text(self, source: str) -> str:
        return source[self.start : self.end]


def names(text: str) -> list[Span]:
    out = []
    for m in NAME_RX.finditer(text):
        tokens = list(re.finditer(r"\S+", m.group(0)))
        # a capitalised function word ("The", "However") at the front is not part of the name
        while tokens and tokens[0].group(0).lower().strip(".") in _NOT_NAMES:
            tokens.pop(0)
        if tokens:
            out.append(Span(m.start() + tokens[0].start(), m.end(), "name"))
    return out


def spans_of(text: str, kind: str) -> list[Span]:
    """Candidate answer spans of a question type in text."""
    if kind == DATE:
        found = [
            Span(*m.span(), DATE) for m in DATE_RX.finditer(text) if not _LOWER_MONTH.fullmatch(m.group(0))
        ]
        return found + [Span(*m.span(), DATE) for m in VERSION_RX.finditer(text)]
    if kind == NUMBER:
        return [Span(*m.span(), NUMBER) for m in NUMBER_RX.finditer(text) if m.group(0).strip()]
    if kind in (PERSON, ORG, PLACE):
        return names(text)
    return []


def new_spans(text: str, kind: str, question_terms: set[str]) -> list[Span]:
    """Spans of the type that the question does not already name."""
    from assistant.text import terms

    out = []
    for span in spans_of(text, kind):
        span_terms = set(terms(span.text(text)))
        if kind in (DATE, NUMBER):
            raw = span.text(text).lower()
            if any(tok in question_terms for tok in _WORD.findall(raw)) and not span_terms - question_terms:
                continue
            out.append(span)
        elif span_terms and not span_terms <= question_terms:
            out.append(span)
    return out
