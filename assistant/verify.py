"""Checking an LLM's answer against the passages it cites.

Each sentence must carry at least one [n] that names a retrieved passage, and the cited passage
must support it: most of the sentence's content words appear in the passage, and in the same
order (so "Seoul must get consent from Japan" is not backed by "Japan should seek consent from
Seoul"), and every number in the sentence appears there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer_types import Flag
from assistant.text import STOPWORDS, terms, words
from ingest.sentences import sentence_spans

MARKER = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MIN_WORD_COVERAGE = 0.6  # share of the sentence's content words found in the passage
MIN_ORDER_COVERAGE = 0.25  # share of its ordered word pairs found in the passage
PAIR_WINDOW = 2  # pairs are words at most this many words apart
# Kept for word order although they are stop words: they carry who does what to whom
# ("consent from Seoul" is not "consent from Japan") and negation.
_DIRECTIONAL = frozenset("from to by for with against of in on not no never without".split())
REFUSAL_HINTS = ("don't contain", "do not contain", "does not contain", "doesn't contain", "not mentioned")


@dataclass
class CheckedSentence:
    text: str  # without its markers
    cited: list[int]  # valid passage numbers it cites
    flag: Flag | None


def _pairs(text: str) -> set[tuple[str, str]]:
    """Ordered pairs of nearby words (dropped stop words still count as distance, so "consent
    from Seoul when Japan" does not pair "from" with "Japan")."""
    from assistant.text import _stemmer

    seq = [w if (w not in STOPWORDS or w in _DIRECTIONAL) else None for w in words(text)]
    stems = _stemmer().stemWords([w or "" for w in seq])
    seq = [st if w else None for w, st in zip(seq, stems)]
    return {
        (a, b)
        for i, a in enumerate(seq)
        if a
        for b in seq[i + 1 : i + 1 + PAIR_WINDOW]
        if b and a != b
    }


def support(sentence: str, passage: str) -> float:
    """0..1: how well the passage backs the sentence (word coverage x word-order coverage)."""
    s_terms, p_terms = terms(sentence), terms(passage)
    if not s_terms:
        return 1.0
    p_set = set(p_terms)
    word_cov = sum(t in p_set for t in s_terms) / len(s_terms)
    numbers = _NUMBER.findall(sentence)
    if any(n not in passage for n in numbers):
        return 0.0
    s_pairs = _pairs(sentence)
    if not s_pairs:
        return word_cov
    order_cov = len(s_pairs & _pairs(passage)) / len(s_pairs)
    if word_cov < MIN_WORD_COVERAGE or order_cov < MIN_ORDER_COVERAGE:
        return min(word_cov, order_cov) * 0.5
    return (word_cov + order_cov) / 2


def is_refusal(text: str) -> bool:
    low = text.lower().replace("\u2019", "'")
    return any(h in low for h in REFUSAL_HINTS)


def check_answer(text: str, passages: list[str]) -> list[CheckedSentence]:
    """Every sentence of an LLM answer, with the passages it validly cites and a flag when its
    citations don't back it."""
    out = []
    for a, b in sentence_spans(text):
        raw = text[a:b]
        numbers = [int(n) for n in MARKER.findall(raw)]
        clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(MARKER.sub(" ", raw).split()))
        if not clean.strip(" .,;:"):
            continue  # a stray marker on its own
        valid = [n for n in numbers if 1 <= n <= len(passages)]
        flag = None
        if is_refusal(clean) and not numbers:
            flag = None
        elif not numbers:
            flag = Flag(clean, "no citation")
        elif not valid:
            flag = Flag(clean, f"cites [{numbers[0]}], which is not one of the passages")
        else:
            best = max(support(clean, passages[n - 1]) for n in valid)
            if best < MIN_ORDER_COVERAGE:
                cited = ", ".join(f"[{n}]" for n in valid)
                flag = Flag(clean, f"not supported by {cited}")
        out.append(CheckedSentence(clean, valid, flag))
    return out


def best_sentence(claim: str, passage: str) -> tuple[int, int]:
    """Span of the passage sentence that best backs a claim (for the citation's quote)."""
    spans = sentence_spans(passage) or [(0, len(passage))]
    return max(spans, key=lambda sp: support(claim, passage[sp[0] : sp[1]]))
