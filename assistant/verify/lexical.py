"""Word-level evidence: does the passage hold the claim's content words and its numbers?"""

from __future__ import annotations

import re

from assistant.text import terms
from assistant.verify.names import same_word

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(?:\s*[-\u2013]\s*(\d{2,4})\b)?")
_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12})
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split()
    )
}
_WORD = re.compile(r"[a-z]+")
# Irregular verb forms, by Snowball stem, mapped to the stem of the base form: the stemmer
# leaves "paid" and "pay", "taken" and "take" apart.
IRREGULAR = {
    form: base
    for base, forms in {
        "pay": "paid", "take": "took taken", "make": "made", "give": "gave given", "get": "got gotten",
        "seek": "sought", "win": "won", "sell": "sold", "buy": "bought", "send": "sent",
        "lend": "lent", "hold": "held", "keep": "kept", "leav": "left", "meet": "met", "run": "ran",
        "begin": "began begun", "bring": "brought", "build": "built", "choos": "chose chosen",
        "come": "came", "draw": "drew drawn", "fall": "fell fallen", "find": "found",
        "go": "went gone", "grow": "grew grown", "hear": "heard", "know": "knew known",
        "lead": "led", "lose": "lost", "rise": "rose risen", "see": "saw seen", "show": "shown",
        "spend": "spent", "speak": "spoke spoken", "stand": "stood", "strike": "struck",
        "teach": "taught", "think": "thought", "tell": "told", "understand": "understood",
        "write": "wrote written", "fight": "fought", "becom": "becam", "break": "broke broken",
        "catch": "caught", "drive": "drove driven", "feel": "felt", "forget": "forgot forgotten",
        "fli": "flew flown", "hide": "hid hidden", "mean": "meant", "forbid": "forbad forbidden",
        "withdraw": "withdrew withdrawn", "overtak": "overtook", "undertak": "undertook",
    }.items()
    for form in forms.split()
}


def base_stems(stems: list[str]) -> list[str]:
    return [IRREGULAR.get(s, s) for s in stems]


def _canonical(number: str) -> str:
    plain = number.replace(",", "")
    try:
        value = float(plain)
    except ValueError:
        return number
    return str(int(value)) if value.is_integer() else str(value)


def numbers(text: str) -> set[str]:
    """Every number in a text, canonical: "1,000" -> "1000", "two" -> "2", "third" -> "3rd";
    a year range "1910-45" gives 1910, 45 and 1945, so "from 1910 to 1945" matches it."""
    found: set[str] = set()
    for m in _NUMBER.finditer(text):
        first, second = m.group(1), m.group(2)
        found.add(_canonical(first))
        if second:
            found.add(_canonical(second))
            if len(first) == 4 and len(second) == 2:  # 1910-45
                found.add(first[:2] + second)
    for word in _WORD.findall(text.lower()):
        if word in _WORDS:
            found.add(str(_WORDS[word]))
        elif word in _ORDINALS:
            found.add(f"{_ORDINALS[word]}rd")
    return found


def missing_numbers(claim: str, passage: str) -> list[str]:
    """The claim's numbers that the passage does not have ("one" is left out: "one of the..."
    is rarely a count)."""
    have = numbers(passage)
    return sorted(n for n in numbers(claim) - {"1"} if n not in have)


def coverage(claim: str, passage: str) -> float:
    """Share of the claim's content words (stemmed) that occur in the passage; 1.0 for a claim
    without any."""
    wanted = base_stems(terms(claim))
    if not wanted:
        return 1.0
    have = set(base_stems(terms(passage)))
    passage_numbers: set[str] | None = None

    def covered(term: str) -> bool:
        nonlocal passage_numbers
        if term in have:
            return True
        if term[0].isdigit():  # "1945" is in "1910-45"
            passage_numbers = passage_numbers if passage_numbers is not None else numbers(passage)
            return term in passage_numbers
        return any(same_word(term, h) for h in have)  # Japanese/Japan

    return sum(covered(t) for t in wanted) / len(wanted)
