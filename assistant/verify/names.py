"""Entity names as a claim and a passage may spell them: "Japanese" for Japan, "S. Korea" for
South Korea, "Seoul" for South Korea's government, "Abe" for Shinzo Abe."""

from __future__ import annotations

import re

from assistant.text import _stemmer

# A capital often stands for its country in news text ("Seoul said", "talks with Tokyo").
CAPITALS = {
    "seoul": ("south", "korea"), "tokyo": ("japan",), "pyongyang": ("north", "korea"),
    "beijing": ("china",), "washington": ("us",), "moscow": ("russia",), "london": ("britain",),
    "paris": ("france",), "berlin": ("germany",), "kyiv": ("ukraine",), "kiev": ("ukraine",),
    "delhi": ("india",), "ottawa": ("canada",), "canberra": ("australia",), "rome": ("italy",),
    "madrid": ("spain",), "taipei": ("taiwan",), "ankara": ("turkey",), "tehran": ("iran",),
}
_SAME_AS = {"america": "us", "usa": "us", "states": "us", "uk": "britain", "british": "britain"}
FILLER = frozenset("the a an 's ' of".split())
_CLEAN_WORD = re.compile(r"[^\w\-]")


def canonical_word(text: str) -> str:
    """Lower case, no dots or punctuation: "U.S." -> "us"; a few country synonyms merged."""
    w = _CLEAN_WORD.sub("", text.lower().replace(".", ""))
    return _SAME_AS.get(w, w)


_DEMONYM_ENDINGS = frozenset(["", "n", "an", "ian", "ese", "es", "ish", "i", "s", "y"])


def same_word(a: str, b: str) -> bool:
    """Equal, an initial ("S." of "S. Korea"), or a name and its demonym: Japan/Japanese,
    Korea/Korean, China/Chinese, Italy/Italian (also as Snowball stems: "japanes")."""
    if a == b:
        return True
    if (len(a) == 1 or len(b) == 1) and a[:1] == b[:1]:
        return True
    short, long_ = sorted((a, b), key=len)
    base = short[:-1] if short[-1:] in ("a", "e", "y") else short
    return len(base) >= 4 and long_.startswith(base) and long_[len(base):] in _DEMONYM_ENDINGS


def _variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    alias = CAPITALS.get(key[0]) if len(key) == 1 else None
    return [key, alias] if alias else [key]


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """shorter's words appear, in order and together, in longer."""
    n = len(shorter)
    return any(
        all(same_word(x, y) for x, y in zip(longer[i : i + n], shorter))
        for i in range(len(longer) - n + 1)
    )


def same_entity(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """"Korea" is "South Korea", "Abe" is "Shinzo Abe", "Tokyo" is "Japan"; "North Korea" is
    not "South Korea". A common noun (key "#stem") is itself, or the name it ends a name of:
    "the clinic" is "the Lakeside Clinic"."""
    common_a, common_b = a[0].startswith("#"), b[0].startswith("#")
    if common_a and common_b:
        return a == b
    if common_a or common_b:
        noun, name = (a, b) if common_a else (b, a)
        return noun[0][1:] == _stemmer().stemWord(name[-1])
    for x in _variants(a):
        for y in _variants(b):
            if _contains(x, y) if len(x) >= len(y) else _contains(y, x):
                return True
    return False


def mentioned(key: tuple[str, ...], label: str, words: tuple[str, ...]) -> bool:
    """Is the entity in the passage's words? A person by the surname is enough."""
    if label == "PERSON" and _contains(words, key[-1:]):
        return True
    return any(_contains(words, variant) for variant in _variants(key))
