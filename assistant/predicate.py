"""The question's main verb, the fact it asks about: "Who *replaced* Bolton?", "How many people
did Humberto *kill*?". A quote on the same people and things that never uses the verb (Bolton's
resignation, Humberto's winds) shares the topic, not the fact. Found by rules over the
question's words, not a parser: loading one would add seconds to a one-off question."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.text import STOPWORDS, terms

# Common irregular verbs: a past form and its base, so "won" finds "wins" and "win".
_IRREGULAR = {
    "won": "win", "became": "become", "began": "begin", "begun": "begin", "wrote": "write",
    "written": "write", "made": "make", "took": "take", "taken": "take", "led": "lead",
    "gave": "give", "given": "give", "built": "build", "found": "find", "left": "leave",
    "ran": "run", "sold": "sell", "bought": "buy", "beat": "beat", "beaten": "beat",
    "lost": "lose", "held": "hold", "met": "meet", "told": "tell", "chose": "choose",
    "chosen": "choose", "drew": "draw", "drawn": "draw", "drove": "drive", "driven": "drive",
    "flew": "fly", "flown": "fly", "grew": "grow", "grown": "grow", "knew": "know",
    "known": "know", "rose": "rise", "risen": "rise", "spoke": "speak", "spoken": "speak",
    "stole": "steal", "stolen": "steal", "threw": "throw", "thrown": "throw", "broke": "break",
    "broken": "break", "fell": "fall", "fallen": "fall", "fought": "fight", "taught": "teach",
    "thought": "think", "brought": "bring", "caught": "catch", "sent": "send", "spent": "spend",
    "paid": "pay", "kept": "keep", "meant": "mean", "heard": "hear", "stood": "stand",
    "sang": "sing", "sung": "sing", "sank": "sink", "shot": "shoot", "struck": "strike",
    "swore": "swear", "sworn": "swear", "wore": "wear", "worn": "wear", "got": "get",
    "came": "come", "went": "go", "gone": "go", "saw": "see", "seen": "see", "ate": "eat",
    "hit": "hit", "set": "set", "put": "put", "cut": "cut", "quit": "quit", "split": "split",
    "shut": "shut", "bid": "bid", "forecast": "forecast", "overtook": "overtake",
    "withdrew": "withdraw", "undertook": "undertake", "oversaw": "oversee", "rebuilt": "rebuild",
}
_BASE_TO_FORMS: dict[str, set[str]] = {}
for _past, _base in _IRREGULAR.items():
    _BASE_TO_FORMS.setdefault(_base, {_base}).add(_past)

_AUX = frozenset("did do does done will would can could should shall may might must has have had".split())
_BE = frozenset("is are was were be been being am".split())
AUXILIARIES = _AUX | _BE  # never a question's main verb; where its noun phrases end
_WH = frozenset("who whom what which when where why how whose".split())
_WORD = re.compile(r"[A-Za-z][\w'-]*")


@lru_cache(maxsize=256)
def predicate_stems(question: str) -> frozenset[frozenset[str]]:
    """For each main verb of the question, the stems any of its forms have."""
    words = _WORD.findall(question)
    verbs: list[str] = []
    after_aux = False
    for i, word in enumerate(words):
        low = word.lower()
        prev = words[i - 1].lower() if i else ""
        if low in STOPWORDS or low in _AUX or low in _BE or low in _WH:
            continue
        if prev in _WH and (low in _IRREGULAR or _past(low)):
            verbs.append(low)  # "Who replaced", "What caused", "Who won"
        elif prev not in ("the", "a", "an") and _past(low) and i > 1:
            verbs.append(low)  # "... Japan's move was welcomed by"
        elif not after_aux and _after_aux_subject(words, i):
            verbs.append(low)  # "did Hurricane Humberto kill"
            after_aux = True
    return frozenset(_forms(v) for v in verbs)


def _past(word: str) -> bool:
    return word in _IRREGULAR or (len(word) > 4 and word.endswith("ed") and not word.endswith("eed"))


def _after_aux_subject(words: list[str], i: int) -> bool:
    """The first lower-case content word after "did/does/will" and a subject: a name ("does
    Seoul require") or a short noun phrase ("did the hurricane kill")."""
    if not words[i].islower():
        return False
    aux = next((j for j in range(i - 1, max(-1, i - 6), -1) if words[j].lower() in _AUX), None)
    if aux is None:
        return False
    between = words[aux + 1 : i]
    if not between:
        return False
    if all(b[0].isupper() or b.lower() in STOPWORDS for b in between):
        return any(b[0].isupper() for b in between)
    if between[0].lower() not in ("the", "a", "an", "its", "their", "his", "her") or len(between) > 3:
        return False
    # the subject's nouns come first: the verb ends the clause or comes before its object or
    # a preposition ("does the email extra *provide*", "did the storm *kill* in Cuba")
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    return not after or after in STOPWORDS


def _forms(verb: str) -> frozenset[str]:
    base = _IRREGULAR.get(verb, verb)
    forms = _BASE_TO_FORMS.get(base, {base, verb})
    stems = set()
    for f in forms | {verb}:
        stems.update(terms(f))
    return frozenset(stems)


def predicate_facts(question: str, have: set[str]) -> dict[str, float]:
    """Whether the quote (its stemmed terms and its heading path's: `have`) uses each of the
    question's main verbs."""
    verbs = predicate_stems(question)
    if not verbs:
        return {"verb_hit": 0.0, "verb_miss": 0.0}
    hit = sum(bool(v & have) for v in verbs)
    return {"verb_hit": hit / len(verbs), "verb_miss": (len(verbs) - hit) / len(verbs)}
