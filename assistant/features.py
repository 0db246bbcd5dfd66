"""Features of a candidate answer: how well it matches the question (meaning, words, its
heading path), whether it holds what the question asks for (the answer type, the years,
numbers and names it mentions), and whether it merely restates the question. A linear model
over them ranks the candidates (assistant.answer_model); the same facts feed the confidence."""

from __future__ import annotations

import math
import re

from assistant.asking import (
    DATE, DEFINITION, NAME_TYPES, NUMBER, PERSON, PROCEDURE, REASON, SHORT_TYPES, Asked,
    numeric_tokens,
)
from assistant.candidates import Candidate
from assistant.entities import new_spans
from assistant.measure import measure_of
from assistant.predicate import predicate_facts
from assistant.text import terms

_YEARISH = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_CAUSAL = re.compile(r"\b(because|due to|since|as a result|so that|in order to|owing to|caused by|reason|why)\b", re.I)
_DEFINING = re.compile(r"\b(is|are|was|were|means|refers to|stands for|describes|defines)\b", re.I)
_IMPERATIVE = re.compile(r"^\s*(use|run|add|set|install|call|create|pass|import|define|configure|open|click|select|enable|disable|make|write|put|go|see|type)\b", re.I)

FEATURES = (
    "dense", "lex", "lexctx", "rank_inv", "chunk_dense",
    "type_hit", "type_ctx", "type_miss",
    "cons_hit", "cons_ctx", "cons_missing", "cons_conflict",
    "name_unit", "name_missing",
    "restate", "question_mark", "lead_in", "item", "code", "row", "short_unit", "log_len",
    "proc_fit", "reason_fit", "def_fit", "new_info", "cover", "prev_lex", "pronoun_start",
    "ctx_dense", "phrase", "best_dense", "best_lex", "measure_hit", "measure_miss",
    "verb_hit", "verb_miss", "code_off",
)
_PRONOUN_START = re.compile(r"^\W*(he|she|it|they|his|her|its|their|this|these|that|those|the (company|group|court|team|party|government|agency|ministry|president|minister))\b", re.I)


def constraint_checks(asked: Asked, unit: str, context: str, passage: str) -> dict[str, float]:
    """The question's years and numbers: found in the quote, only in its context (heading
    path, title, the rest of the passage), nowhere; and whether the quote names other years
    instead (a sentence about another year's winner)."""
    wanted = {n.replace(",", "") for n in asked.years | asked.numbers}
    if not wanted:
        return {"cons_hit": 0.0, "cons_ctx": 0.0, "cons_missing": 0.0, "cons_conflict": 0.0}
    in_unit = numeric_tokens(unit)
    around = numeric_tokens(context) | numeric_tokens(passage)
    hit = wanted & in_unit
    ctx = (wanted & around) - hit
    missing = wanted - hit - ctx
    conflict = 0.0
    asked_years = {w for w in wanted if _YEARISH.match(w)}
    unit_years = {t for t in in_unit if _YEARISH.match(t)}
    if asked_years and unit_years and not asked_years & unit_years:
        conflict = 1.0
    n = len(wanted)
    return {
        "cons_hit": len(hit) / n, "cons_ctx": len(ctx) / n,
        "cons_missing": len(missing) / n, "cons_conflict": conflict,
    }


def names_code(asked: Asked, c: Candidate) -> bool:
    """The question asks for a name and the candidate quotes code, whose capitalised words
    are identifiers."""
    return asked.type in NAME_TYPES and "c" in c.kinds


def typed_text(asked: Asked, c: Candidate) -> str:
    """The part of the candidate that can hold the asked type: all of it, but for a name
    never its code (a lead-in's names count, the code's don't)."""
    if not names_code(asked, c):
        return c.text
    return "" if c.unit.kind == "c" else c.doc.page_content[c.unit.start : c.unit.end]


def featurise(asked: Asked, c: Candidate) -> dict[str, float]:
    text = c.text
    unit_terms = set(terms(text))
    context = c.context
    context_terms = set(terms(context))
    passage = c.doc.page_content
    f: dict[str, float] = {
        "dense": c.unit.dense,
        "lex": c.unit.own,
        "lexctx": c.unit.context,
        "rank_inv": 1.0 / (1 + c.rank),
        "chunk_dense": float(c.doc.metadata.get("dense") or 0.0),
    }

    wants = asked.type in SHORT_TYPES
    hit = bool(wants and new_spans(typed_text(asked, c), asked.type, asked.terms))
    ctx = bool(wants and not hit and new_spans(context, asked.type, asked.terms))
    f["type_hit"] = float(hit)
    f["type_ctx"] = float(ctx)
    f["type_miss"] = float(wants and not hit and not ctx)
    f.update(constraint_checks(asked, text, context, passage))
    measure = measure_of(asked.text) if asked.type == NUMBER else None
    met = bool(measure and measure.met_by(text))
    f["measure_hit"] = float(met)
    f["measure_miss"] = float(measure is not None and not met)
    f.update(predicate_facts(asked.text, unit_terms | context_terms))

    names = asked.names
    if names:
        f["name_unit"] = len(names & unit_terms) / len(names)
        around = unit_terms | context_terms | set(terms(passage))
        f["name_missing"] = len(names - around) / len(names)
    else:
        f["name_unit"] = f["name_missing"] = 0.0

    novel = unit_terms - asked.terms - context_terms
    stripped = text.rstrip()
    f["restate"] = float(len(novel) < 2 and "c" not in c.kinds)
    f["question_mark"] = float(stripped.endswith("?"))
    f["lead_in"] = float(len(c.kinds) > 1)
    f["item"] = float(c.kinds[0] == "i")
    f["code"] = float("c" in c.kinds)
    # code answers "how do I ..."; for a value, a name or a reason it is an example that
    # happens to use the question's identifiers, not what answers it
    f["code_off"] = float("c" in c.kinds and asked.type != PROCEDURE)
    f["row"] = float(c.kinds[0] == "r")
    f["short_unit"] = float(len(text.split()) < 4)
    f["log_len"] = math.log1p(len(text)) / 7.0
    f["proc_fit"] = float(
        asked.type == PROCEDURE and ("c" in c.kinds or len(c.kinds) > 1 or bool(_IMPERATIVE.match(text)))
    )
    f["reason_fit"] = float(asked.type == REASON and bool(_CAUSAL.search(text)))
    f["def_fit"] = float(asked.type == DEFINITION and bool(_DEFINING.search(text)))
    # names, numbers and dates the question does not already hold: what an answer adds
    found = sum(len(new_spans(text, kind, asked.terms)) for kind in (PERSON, NUMBER, DATE))
    f["new_info"] = math.log1p(found)
    # a sentence that carries on the one before ("He was 101 and ...") is about what that one
    # names, and so is a sentence under a title or heading that names it
    f["cover"] = c.unit.own + c.unit.context
    f["prev_lex"] = c.prev_lex
    f["pronoun_start"] = float(bool(_PRONOUN_START.match(text)))
    f["ctx_dense"] = c.unit.context_dense
    # the question's word pairs ("first hurricane", "allow partial") found as pairs
    pairs = _pairs(asked.text)
    f["phrase"] = len(pairs & _pairs(text)) / len(pairs) if pairs else 0.0
    return f


def _pairs(text: str) -> set[tuple[str, str]]:
    seq = terms(text)
    return set(zip(seq, seq[1:]))


def mark_leaders(cands: list[Candidate]) -> None:
    """Which candidates have the best meaning match and the best word match of the question's
    candidates (absolute values vary by question; being first does not)."""
    if not cands:
        return
    top_dense = max(c.features["dense"] for c in cands)
    top_lex = max(c.features["lex"] for c in cands)
    for c in cands:
        c.features["best_dense"] = float(c.features["dense"] >= top_dense)
        c.features["best_lex"] = float(c.features["lex"] >= top_lex)


_ITEMS = re.compile(r"[,;/|\u2026]+")


def keyword_list(text: str) -> bool:
    """A run of short comma-separated words standing in for a sentence ("who, what, Seoul,
    Japan, consent, ..."): text stuffed with likely question words to win any question, not
    something that says anything."""
    items = [i.split() for i in _ITEMS.split(text)]
    short = [i for i in items if 0 < len(i) <= 2]
    words_total = sum(len(i) for i in items) or 1
    return len(short) >= 8 and sum(len(i) for i in short) / words_total >= 0.6
