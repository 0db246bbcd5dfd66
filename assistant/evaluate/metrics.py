"""The numbers an eval reports, as pure functions over per-question outcomes.

Nothing here loads a model or an index: `run.py` fills in `Outcome`s, `summarise` turns them into
the metrics table. Conventions:
- retrieval and answer metrics are over *answerable* questions (gold answers given), since an
  unanswerable question's source, if any, is the paragraph it was written against, not one that
  holds the answer;
- refusal rate is over *unanswerable* questions;
- a metric with nothing to measure is None (shown as "—"), never 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    # Extracted text keeps the document's line breaks; a gold string written on one line must
    # still match an answer that wraps, so whitespace runs compare equal.
    return _SPACE.sub(" ", text).strip().casefold()


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """True when one gold string appears in the text, ignoring case and whitespace runs."""
    hay = _norm(text)
    return any(_norm(a) and _norm(a) in hay for a in answers)


def hit_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> bool:
    """True when a gold source is among the first k ranked sources."""
    top = set(ranked[:k])
    return any(g in top for g in gold)


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str]) -> float:
    """1/rank of the first gold source in the ranked list (1-based); 0 when absent. Over a
    top-k list this is MRR@k's per-question term."""
    wanted = set(gold)
    for rank, source in enumerate(ranked, start=1):
        if source in wanted:
            return 1.0 / rank
    return 0.0


def quote_is_valid(text: str, quote: str, start: int, end: int) -> bool:
    """A citation is valid when the document's extracted text holds the quote verbatim at its
    offsets (what the UI highlights must be what the answer says it quotes)."""
    return 0 <= start <= end <= len(text) and text[start:end] == quote


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100), interpolating linearly between the closest ranks (numpy's
    default), so p50 of [1, 2, 3, 4] is 2.5. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def rate(flags: Iterable[bool]) -> float | None:
    """Fraction of True; None when there is nothing to count."""
    return mean(1.0 if f else 0.0 for f in flags)


@dataclass
class Outcome:
    """What one question got from one system (ours or the baseline)."""

    question: str
    answers: list[str]  # gold strings; [] = must be refused
    sources: list[str]  # gold source names relative to corpus/; may be []
    text: str = ""
    found: bool = True
    confidence: float | None = None
    retrieved: list[str] = field(default_factory=list)  # ranked source names, top k
    latency_s: float = 0.0
    citations: int = 0
    bad_citations: list[dict] = field(default_factory=list)  # the invalid ones, for inspection
    pages: int = 0  # citations that name a page (PDFs)
    bad_pages: list[dict] = field(default_factory=list)  # ones whose page is not the quote's
    id: str | None = None  # the set's own id for the question, if it gives one

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    @property
    def correct(self) -> bool:
        """Answered (not refused) and a gold string is in the answer. A refusal is never a
        correct answer, even when its closest passages happen to contain the gold string."""
        return self.answerable and self.found and contains_answer(self.text, self.answers)

    def to_dict(self, k: int) -> dict:
        out = asdict(self)
        out.update(answerable=self.answerable, correct=self.correct)
        if self.answerable and self.sources:
            out.update(
                hit_at_1=hit_at(self.retrieved, self.sources, 1),
                hit_at_k=hit_at(self.retrieved, self.sources, k),
                reciprocal_rank=reciprocal_rank(self.retrieved[:k], self.sources),
            )
        return out


def check_citations(
    citations: Iterable[tuple[str, str, int, int]], text_of: Callable[[str], str]
) -> tuple[int, list[dict]]:
    """(number checked, the invalid ones) for (source path, quote, start, end) tuples;
    text_of(source) gives the source's extracted text."""
    checked, bad = 0, []
    for source, quote, start, end in citations:
        checked += 1
        try:
            ok = quote_is_valid(text_of(source), quote, start, end)
        except Exception as exc:  # a source that no longer loads cannot back its quote
            ok, quote = False, f"{quote} (source unreadable: {exc})"
        if not ok:
            bad.append({"source": source, "start": start, "end": end, "quote": quote})
    return checked, bad


def check_pages(
    citations: Iterable[tuple[str, int, int | None]], page_at: Callable[[str, int], int | None]
) -> tuple[int, list[dict]]:
    """(number checked, the wrong ones) for (source, start, page) of citations that name a
    page or whose document has pages; page_at(source, offset) gives the page an offset is on."""
    checked, bad = 0, []
    for source, start, page in citations:
        try:
            expected = page_at(source, start)
        except Exception:  # an unreadable source: its quotes are already counted invalid
            continue
        if expected is None and page is None:
            continue
        checked += 1
        if page != expected:
            bad.append({"source": source, "start": start, "page": page, "expected": expected})
    return checked, bad


def summarise(outcomes: Sequence[Outcome], k: int) -> dict:
    """The metrics table of one system on one set."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    with_sources = [o for o in answerable if o.sources]
    cited = sum(o.citations for o in outcomes)
    bad = sum(len(o.bad_citations) for o in outcomes)
    latencies_ms = [o.latency_s * 1000 for o in outcomes]
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "k": k,
        "recall_at_1": rate(hit_at(o.retrieved, o.sources, 1) for o in with_sources),
        "recall_at_k": rate(hit_at(o.retrieved, o.sources, k) for o in with_sources),
        "mrr": mean(reciprocal_rank(o.retrieved[:k], o.sources) for o in with_sources),
        "answer_accuracy": rate(o.correct for o in answerable),
        "refusal_rate": rate(not o.found for o in unanswerable),
        "false_refusal_rate": rate(not o.found for o in answerable),
        # SQuAD 2.0's view: right when an answerable question is answered correctly and an
        # unanswerable one refused.
        "overall_accuracy": rate(o.correct if o.answerable else not o.found for o in outcomes),
        "citations": cited,
        "citation_validity": (cited - bad) / cited if cited else None,
        "page_validity": _page_validity(outcomes),
        "answer_chars": mean(len(o.text) for o in outcomes if o.found),
        "latency_p50_ms": percentile(latencies_ms, 50),
        "latency_p95_ms": percentile(latencies_ms, 95),
    }


def threshold_rates(
    answerable: Sequence[float], unanswerable: Sequence[float], threshold: float
) -> dict:
    """Refusal and false refusal rates if the rule were "refuse when confidence < threshold"."""
    return {
        "threshold": threshold,
        "refusal_rate": rate(c < threshold for c in unanswerable),
        "false_refusal_rate": rate(c < threshold for c in answerable),
    }


def best_threshold(answerable: Sequence[float], unanswerable: Sequence[float]) -> dict | None:
    """The threshold that best separates the two groups: highest balanced accuracy, the mean of
    (refusal rate) and (1 - false refusal rate). Candidates are the observed confidences, so the
    answer is exact, not a grid approximation; the threshold returned is the midpoint between
    the two observed scores it falls between, so it does not sit on one question's score.
    None unless both groups have scores."""
    if not answerable or not unanswerable:
        return None
    scores = sorted(set(answerable) | set(unanswerable))
    # Refusing everything or nothing both score 0.5, so the lowest observed score (refuse
    # nothing) stands for both; ties keep the lower threshold, the one that refuses less.
    candidates = scores[:1] + [(a + b) / 2 for a, b in zip(scores, scores[1:])]
    best, best_score = None, -1.0
    for t in candidates:
        r = threshold_rates(answerable, unanswerable, t)
        score = (r["refusal_rate"] + 1 - r["false_refusal_rate"]) / 2
        if score > best_score:
            best, best_score = r, score
    return {**best, "balanced_accuracy": best_score}


def threshold_for_false_refusals(
    answerable: Sequence[float], unanswerable: Sequence[float], max_false_refusal: float
) -> dict | None:
    """The highest threshold that refuses at most max_false_refusal of answerable questions
    (e.g. 0.05), with what it then refuses of unanswerable ones: the practical choice when
    wrongly refusing a user costs more than answering an unanswerable question."""
    if not answerable:
        return None
    ordered = sorted(answerable)
    allowed = math.floor(max_false_refusal * len(ordered) + 1e-9)
    if allowed >= len(ordered):
        t = ordered[-1] + 1e-9
    elif allowed == 0:
        t = ordered[0]
    else:  # between the last one refused and the first one kept
        t = (ordered[allowed - 1] + ordered[allowed]) / 2
    return {**threshold_rates(answerable, unanswerable, t), "max_false_refusal": max_false_refusal}


def _page_validity(outcomes: Sequence[Outcome]) -> float | None:
    paged = sum(o.pages for o in outcomes)
    wrong = sum(len(o.bad_pages) for o in outcomes)
    return (paged - wrong) / paged if paged else None
