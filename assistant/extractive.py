"""The default answerer: no LLM. It quotes the unit of the retrieved passages that best answers
the question (a sentence, a list item, a lead-in with its list), plus up to two more that score
nearly as well, each cited; or it says the documents don't hold the answer.

Candidates are ranked by a linear model over their features (assistant.features): meaning,
shared words, the heading path, the expected answer type, the question's years, numbers and
names, restating. The confidence model then gives the probability that the chosen answer is
supported; under `refusal_threshold` the answer is a refusal with the closest passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.answer_model import AnswerModel, load_model
from assistant.answer_types import Answer
from assistant.asking import NEGATION, Asked, analyse, negated
from assistant.candidates import Candidate, candidates
from assistant.citing import answer_text, citation, citations_for, short_for
from assistant.features import featurise, keyword_list, mark_leaders, names_code
from assistant.scoring import UNSEEN_TERM, Query

# Further units join the best one only when the ranker scores them nearly as high.
KEEP_WITHIN = 2.5
# A follow-up ("Who said that?") should not get the quote it asks about as its answer, unless
# that quote holds the kind of thing asked for (the speaker's name).
REPEAT_PENALTY = 1.5
# Keyword stuffing ("who, what, when, Seoul, Japan, consent, ... the answer is X") must not win
# questions: such a unit ranks below any real sentence, and is never confident.
STUFFING_PENALTY = 5.0
# The most an answer can be trusted when the question names something no document mentions.
UNKNOWN_NAME_CONFIDENCE = 0.15
REFUSAL = "The documents don't contain an answer to this question."


def ranked(q: Query, docs: list[Document], asked: Asked, model: AnswerModel) -> list[Candidate]:
    """All candidates, features filled in, best first."""
    out = candidates(q, docs)
    for c in out:
        c.features = featurise(asked, c)
    mark_leaders(out)
    for c in out:
        c.score = model.ranker.score(c.features)
        if keyword_list(c.text):
            c.stuffed = True
            c.score -= STUFFING_PENALTY
        if q.avoid and c.text in q.avoid:
            c.repeated = True
            if not c.features["type_hit"]:
                c.score -= REPEAT_PENALTY
    out.sort(key=lambda c: c.score, reverse=True)
    return out


def question_facts(q: Query, asked: Asked, docs: list[Document]) -> dict[str, float]:
    """What the corpus says about the question whatever the answer: how much of its weight lies
    in words no document uses, and how many of its names are unknown to the corpus (an
    acronym the passages spell out, "HK" for "Hong Kong", is known)."""
    if q.doc_freq is None:
        return {"oov": 0.0, "names_oov": 0.0}
    unseen = [t for t in q.terms if q.doc_freq(t) == 0]
    oov = sum(q.idf(t) for t in unseen) / q.weight if q.terms else 0.0
    names = asked.names
    unknown = {t for t in names if q.doc_freq(t) == 0}
    unknown -= spelled_out(asked.text, docs) | _opening_word(asked.text)
    names_oov = len(unknown) / len(names) if names else 0.0
    return {"oov": oov, "names_oov": names_oov}


# A question's first word is capitalised whatever it is: alone ("Besides the yearly
# assessment, ...") it may be any word, so it is not taken for a name no document uses.
_OPENING_WORD = re.compile(r"\W*([A-Z][a-z]+)\b(?![ \t]+[A-Z])")
_ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")


def _opening_word(question: str) -> set[str]:
    from assistant.text import terms

    m = _OPENING_WORD.match(question)
    return set(terms(m.group(1))) if m else set()


def spelled_out(question: str, docs: list[Document]) -> set[str]:
    """The question's acronyms (as terms) whose letters begin a run of capitalised words in
    the passages: "HK" and "Hong Kong"."""
    from assistant.text import terms

    found = set()
    for acronym in set(_ACRONYM.findall(question)):
        # no character the word and the gap could both take: linear on any text
        words = r"[\w'\u2019]*[ \t-]+".join(acronym)
        pattern = re.compile(rf"\b{words}")
        if any(pattern.search(d.page_content) for d in docs):
            found.update(terms(acronym))
    return found


def passage_facts(q: Query, asked: Asked, best: Candidate) -> dict[str, float]:
    """How much of the question the best candidate's passage (with its headings) covers, and
    how specific the most specific word it lacks is: a near miss is on topic but lacks one
    rare word of the question ("round 3" where the passage has round 4)."""
    from assistant.text import terms

    have = set(terms(best.doc.page_content)) | set(terms(best.context))
    missing = q.terms - have
    unseen = q.idf(UNSEEN_TERM) or 1.0  # the weight of a word no document has
    cover = 1.0 - sum(q.idf(t) for t in missing) / q.weight if q.terms else 1.0
    return {
        "passage_cover": cover,
        "miss_max": max((q.idf(t) for t in missing), default=0.0) / unseen,
        # nothing of the question in the passage, and little of its meaning: off topic
        "no_overlap": float(bool(q.terms) and cover <= 0.0),
        "dense_low": max(0.0, 0.35 - best.features["dense"]),
        **unit_facts(q, asked, best),
    }


def unit_facts(q: Query, asked: Asked, best: Candidate) -> dict[str, float]:
    """How much of what the question asks about, beyond its names, the quote itself (with its
    heading path) lacks: "Who replaced Bolton?" answered by a sentence on Bolton that never
    says "replaced" shares the topic, not the fact; and whether the question is negated and
    the quote not."""
    from assistant.text import terms

    # "What does not explain the failures?" is not answered by "... may explain the failures"
    negation = {"neg_miss": float(negated(asked.text) and not NEGATION.search(best.text))}
    wanted = asked.terms - asked.names
    if not wanted:
        return {"unit_miss": 0.0, "unit_miss_max": 0.0, **negation}
    have = set(terms(best.text)) | set(terms(best.context))
    missing = wanted - have
    weight = sum(q.idf(t) or 0.0 for t in wanted) or 1.0
    unseen = q.idf(UNSEEN_TERM) or 1.0
    return {
        "unit_miss": sum(q.idf(t) or 0.0 for t in missing) / weight,
        "unit_miss_max": max((q.idf(t) or 0.0 for t in missing), default=0.0) / unseen,
        **negation,
    }


def confidence_features(best: Candidate, second: Candidate | None, asked: Asked, facts: dict) -> dict:
    f = dict(best.features)
    f["rank_score"] = best.score
    f["margin"] = best.score - second.score if second is not None else 1.0
    f["wants_short"] = float(asked.wants_short)
    f.update(facts)
    return f


def choose(ranking: list[Candidate], max_units: int, asked: Asked | None = None) -> list[Candidate]:
    """The best candidate, plus up to max_units-1 more scoring within KEEP_WITHIN of it that
    don't overlap what is already quoted, plus what a comparison needs (see `_both_sides`); in
    document order, documents in the order of their best candidate."""
    best = ranking[0]
    picked = [best]
    for c in ranking[1:]:
        if len(picked) == max_units or c.score < best.score - KEEP_WITHIN:
            break
        if c.features.get("question_mark") or c.repeated or c.stuffed:
            continue
        inner = [i for i, p in enumerate(picked) if _overlaps(c, p)]
        if len(inner) == 1 and len(c.kinds) > 1 and _contains(c, picked[inner[0]]):
            # a lead-in with the code or list it introduces, over that code or list alone:
            # "raised when the URL length is greater than 2083:" is what gives the code meaning
            picked[inner[0]] = c
        elif not inner:
            picked.append(c)
    if asked is not None and asked.alternatives:
        picked = _both_sides(ranking, picked, asked.alternatives, max_units)
    doc_rank: dict[str, int] = {}
    for c in picked:
        doc_rank.setdefault(c.source, len(doc_rank))
    return sorted(picked, key=lambda c: (doc_rank[c.source], c.doc_start))


def _both_sides(ranking: list[Candidate], picked: list[Candidate], sides: tuple[str, ...], max_units: int) -> list[Candidate]:
    """For "Which was founded first, A or B?", a quote about each of A and B (the best-ranked
    unit naming it, in its text or its heading path or title): the comparison is the reader's
    to make from both facts, not a guess from one of them."""
    from assistant.text import terms

    def names(c: Candidate, side: set[str]) -> bool:
        return side <= set(terms(c.text)) | set(terms(c.context))

    picked = list(picked)
    wanted = [set(terms(s)) for s in sides]
    for side in wanted:
        if not side or any(names(p, side) for p in picked):
            continue
        extra = next(
            (c for c in ranking if names(c, side) and not c.stuffed and not c.features.get("question_mark")
             and not any(_overlaps(c, p) for p in picked)),
            None,
        )
        if extra is None:
            continue
        if len(picked) >= max_units:
            # make room: drop the weakest quote but the best that is not the only one on its side
            def alone(p: Candidate) -> bool:
                return any(names(p, t) and sum(names(o, t) for o in picked) == 1 for t in wanted)

            spare = [p for p in picked[1:] if not alone(p)]
            if not spare:
                continue
            picked.remove(min(spare, key=lambda p: p.score))
        picked.append(extra)
    return picked


def _contains(a: Candidate, b: Candidate) -> bool:
    return a.source == b.source and a.doc_start <= b.doc_start and b.doc_start + (b.end - b.start) <= a.doc_start + (a.end - a.start)


def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.source == b.source and a.doc_start < b.doc_start + (b.end - b.start) and b.doc_start < a.doc_start + (a.end - a.start)


@dataclass
class Decision:
    """What the answerer concluded: the ranked candidates, the facts the confidence model
    weighed (`features`), and the probability that the best candidate answers."""

    asked: Asked
    ranking: list[Candidate]
    features: dict[str, float]
    confidence: float


def decide(q: Query, docs: list[Document], model: AnswerModel) -> Decision | None:
    # a follow-up's type and names are its own ("Who said that?" asks for a name that the
    # earlier turn, which retrieval also searched for, does not hold)
    asked = analyse(q.asked or q.text)
    ranking = ranked(q, docs, asked, model)
    if not ranking:
        return None
    best = ranking[0]
    second = next((c for c in ranking[1:] if not _overlaps(c, best)), None)
    facts = {**question_facts(q, asked, docs), **passage_facts(q, asked, best)}
    features = confidence_features(best, second, asked, facts)
    confidence = 0.0 if best.stuffed else model.confidence.probability(features)
    if facts["names_oov"] > 0:
        # the question names something no document mentions ("the 2019 Nobel Prize in
        # Chemistry" over articles on physics): whatever matches, it is not about that
        confidence = min(confidence, UNKNOWN_NAME_CONFIDENCE)
    return Decision(asked, ranking, features, confidence)


def extractive_answer(
    q: Query, docs: list[Document], threshold: float, max_sentences: int = 3,
    model: AnswerModel | None = None,
) -> Answer:
    model = model or load_model()
    decision = decide(q, docs, model)
    if decision is None:
        return Answer(text=REFUSAL, found=False)
    ranking, confidence = decision.ranking, decision.confidence
    if confidence < threshold:
        closest, seen_chunks = [], set()
        for c in ranking:  # the best candidate of each of the closest passages
            if c.doc.id not in seen_chunks:
                seen_chunks.add(c.doc.id)
                closest.append(c)
        cites = [citation(i + 1, c) for i, c in enumerate(closest[:3])]
        return Answer(text=REFUSAL, found=False, citations=cites, confidence=round(confidence, 4))
    picked = choose(ranking, max_sentences, decision.asked)
    cites = citations_for(picked, decision.asked)
    best = ranking[0]
    at = next(i for i, c in enumerate(cites) if c.start <= best.doc_start < c.end)
    short = None if names_code(decision.asked, best) else short_for(decision.asked, cites, at)
    return Answer(
        text=answer_text(cites), found=True, citations=cites,
        confidence=round(confidence, 4), short=short,
    )
