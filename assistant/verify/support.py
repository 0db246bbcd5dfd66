"""Does a passage back a claim? Numbers, names, words, then structure (roles and negation)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.verify import conflicts, lexical, names, structure
from ingest.sentences import sentence_spans

# Share of the claim's content words that the passage must hold. Lower lets more invented
# detail through; higher flags more honest paraphrases (benchmarks/verify_bench.py measures
# both on a labelled set).
MIN_COVERAGE = 0.6
# Passage sentences within this much of the best-covering one are compared for structure.
ALIGN_MARGIN = 0.1
_MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


@dataclass
class Verdict:
    backed: bool
    why: str = ""  # what is wrong, for the flag: "it has no 1950", "it swaps the roles of ..."
    coverage: float = 0.0


def verdict(claim: str, passage: str) -> Verdict:
    """Whether the passage backs the claim, and if not, why."""
    missing = lexical.missing_numbers(claim, passage)
    cov = lexical.coverage(claim, passage)
    if missing:
        return Verdict(False, f"the passage has no {missing[0]}", cov)
    parsed_claim = structure.parse(claim)
    sentences = structure.parse(passage)
    words = tuple(w for s in sentences for w in s.words)
    for c in parsed_claim:
        for key, label, text in c.entities:
            if not names.mentioned(key, label, words):
                return Verdict(False, f"the passage does not mention {text}", cov)
        for w in c.words:
            if w in _MONTHS_AND_DAYS and w not in words and not (w == "may" and "may" in words):
                return Verdict(False, f"the passage does not mention {w.capitalize()}", cov)
        for t in c.times:
            if t not in words:
                return Verdict(False, f"the passage does not say when: no \"{t}\"", cov)
    if cov < MIN_COVERAGE:
        return Verdict(False, "most of its words are not in the passage", cov)
    problem = _structure_problem(claim, parsed_claim, sentences)
    if problem:
        return Verdict(False, problem, cov)
    for c in parsed_claim:
        for _, text in c.predicates:
            if lexical.coverage(text, passage) < 1:
                return Verdict(False, f"the passage does not say \"{text}\"", cov)
    return Verdict(True, "", cov)


def _structure_problem(claim: str, parsed_claim, sentences) -> str | None:
    """A conflict with every passage sentence that says roughly what the claim says (when one
    of them agrees with the claim, the claim stands)."""
    if not sentences:
        return None
    scored = [(lexical.coverage(claim, s.text), s) for s in sentences]
    best = max(c for c, _ in scored)
    aligned = [s for c, s in scored if c >= best - ALIGN_MARGIN and c > 0]
    first = None
    for s in aligned:
        problems = [p for c in parsed_claim if (p := conflicts.conflict(c, s))]
        if not problems:
            return None
        first = first or problems[0]
    return first


def best_sentence(claim: str, passage: str) -> tuple[int, int]:
    """Span of the passage sentence that best backs a claim (for the citation's quote)."""
    spans = sentence_spans(passage) or [(0, len(passage))]
    return max(spans, key=lambda sp: lexical.coverage(claim, passage[sp[0] : sp[1]]))
