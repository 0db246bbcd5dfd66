"""What a number question counts or measures, and whether a quote gives that: "how many seats"
wants a number of seats, "what percentage" a percentage, "how much did Iran pay" an amount of
money, "how long" a duration. A quote about the right topic that holds some other number ("20
years" for "how many points") is a near miss, not an answer."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from assistant.entities import NUMBER_RX
from assistant.predicate import AUXILIARIES
from assistant.text import STOPWORDS, terms

PERCENT, MONEY, DURATION, LENGTH, COUNT = "percent", "money", "duration", "length", "count"

_PERCENT_Q = re.compile(r"\b(percent(age)?|per cent|proportion|share of|vote share|%)", re.I)
_MONEY_Q = re.compile(
    r"\bhow much\b.{0,60}\b(costs?|pay|paid|spend|spent|fund|funding|compensation|prices?|"
    r"worth|earn|earned|raise|raised|fine|fined|budget|salary|money|revenue|donate|donated|"
    r"tickets?|fees?|charge|charged|sell|sold|buy|bought)\b|"
    r"\b(cost|price|budget|salary|fee|revenue|compensation|wage|wages|valuation)\b", re.I
)
_LENGTH_Q = re.compile(r"\bhow (tall|high|far|deep|wide)\b|\b(height|distance|depth|width|elevation|altitude)\b", re.I)
_DURATION_Q = re.compile(r"\bhow long\b|\b(winning|finishing|running|flight) time\b", re.I)
_COUNT_Q = re.compile(r"\b(?:how many|number of|count of)\s+((?:[\w-]+\s+){0,3}[\w-]+)", re.I)
_PEOPLE_Q = re.compile(r"\b(population|death toll)\b", re.I)
# words after "how many" that say nothing of what is counted ("how many times faster")
_NOT_COUNTED = frozenset("more fewer less other different new total times".split())

_PERCENT_A = re.compile(r"%|\bper ?cent\b|\bpercentage points?\b", re.I)
_MONEY_A = re.compile(
    r"[$€£¥]|\b(US\$|USD|EUR|GBP|dollars?|euros?|pounds sterling|pounds|yen|yuan|rupees?|"
    r"francs?|kronor|krona|won)\b", re.I
)
_DURATION_A = re.compile(
    r"\b\d{1,2}:\d\d\b|\b(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|"
    r"secs?|mins?|hrs?)\b", re.I
)
_LENGTH_A = re.compile(
    r"(?<![\d,.])\d[\d,.]*\s?(m|cm|mm|km|ft|in|mi|metres?|meters?|centimetres?|centimeters?|kilometres?|"
    r"kilometers?|feet|foot|inch(es)?|miles?|yards?)\b|\d['\u2032]\s?\d", re.I
)
_WINDOW = 4  # words between a number and what it counts ("365 seats", "120 public comments")


@dataclass(frozen=True)
class Measure:
    kind: str
    counted: frozenset[str] = frozenset()  # stems of the counted noun, for COUNT
    given: frozenset[str] = frozenset()  # numbers the question holds ("Fortune 500"): not answers

    def met_by(self, text: str) -> bool:
        if self.kind == PERCENT:
            return bool(_PERCENT_A.search(text))
        if self.kind == MONEY:
            return bool(_MONEY_A.search(text))
        if self.kind == DURATION:
            return bool(_DURATION_A.search(text))
        if self.kind == LENGTH:
            return bool(_LENGTH_A.search(text))
        return _counts(text, self.counted, self.given)


@lru_cache(maxsize=256)
def measure_of(question: str) -> Measure | None:
    """What the question's number must measure, when it says."""
    if _PERCENT_Q.search(question):
        return Measure(PERCENT)
    # "how many employees does the budget office have" counts employees, whatever else it names
    m = _COUNT_Q.search(question)
    counted = _counted(m.group(1).lower().split()) if m else []
    if counted:
        return Measure(COUNT, frozenset(counted), _numbers_in(question))
    if _PEOPLE_Q.search(question):
        # "the population of Seoul", "the death toll": a number of people, not any number
        return Measure(COUNT, frozenset(terms(" ".join(_PEOPLE_WORDS))), _numbers_in(question))
    if _MONEY_Q.search(question):
        return Measure(MONEY)
    if _DURATION_Q.search(question):
        return Measure(DURATION)
    if _LENGTH_Q.search(question):
        return Measure(LENGTH)
    return None


def _numbers_in(question: str) -> frozenset[str]:
    return frozenset(x.group(0) for x in NUMBER_RX.finditer(question) if x.group(0).strip())


def _counted(words: list[str]) -> list[str]:
    """The counted noun: the last word of the phrase after "how many", which ends at the first
    verb or preposition ("how many Fortune 500 companies are ..." counts companies)."""
    if not words or words[0] in _NOT_COUNTED:
        return []
    phrase = []
    for w in words:
        if w in STOPWORDS or w in AUXILIARIES or (w.endswith("ed") and len(w) > 4):
            break
        phrase.append(w)
    head = next((w for w in reversed(phrase) if w.isalpha()), words[0])
    if head in _PEOPLE:  # counts of people are given as such too: "a population of 6,863"
        return terms(" ".join(_PEOPLE_WORDS))
    return terms(head)


_PEOPLE = frozenset("people persons residents inhabitants".split())
_PEOPLE_WORDS = (
    "people persons residents inhabitants population dead died killed deaths injured "
    "victims fatalities casualties attendance attended spectators crowd"
).split()


_TOKEN = re.compile(r"[\w'-]+")


def _counts(text: str, counted: frozenset[str], given: frozenset[str]) -> bool:
    """Whether a number the question does not already hold stands within a few words of the
    counted noun."""
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(text)]
    starts = [s for s, _ in tokens]
    numbers = [
        bisect_left(starts, m.start()) for m in NUMBER_RX.finditer(text)
        if m.group(0).strip() and m.group(0) not in given
    ]
    if not numbers:
        return False
    positions = {i for i, (_, word) in enumerate(tokens) if set(terms(word)) & counted}
    return any(p in positions for n in numbers for p in range(n - _WINDOW, n + _WINDOW + 1))
