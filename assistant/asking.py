"""What a question asks for: the type of its expected answer, and the constraints an answer must
meet (the years, numbers and names it mentions). Rules over the question's words: questions are
short and formulaic enough that these are both fast and predictable."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, terms

PERSON, ORG, PLACE, DATE, NUMBER = "person", "organisation", "place", "date", "number"
DEFINITION, PROCEDURE, REASON, OTHER = "definition", "procedure", "reason", "other"
# Types whose answer is a short span: an entity, a date or a number.
SHORT_TYPES = frozenset({PERSON, ORG, PLACE, DATE, NUMBER})
# Types answered by a name: never by the identifiers of a code block ("Who wrote httpx?" is
# not answered by "httpx.Client(...)").
NAME_TYPES = frozenset({PERSON, ORG, PLACE})

_PLACE_NOUNS = (
    "city town country state province region county place location venue continent island "
    "capital village district neighbourhood neighborhood street address river lake mountain "
    "hometown birthplace headquarters site destination port airport stadium"
).split()
_ORG_NOUNS = (
    "company organisation organization agency party team club band group firm university "
    "college school newspaper network channel label publisher ministry department bank airline "
    "manufacturer government body committee court"
).split()
_PERSON_NOUNS = (
    "person man woman player author writer president leader minister founder singer actor "
    "actress director coach captain spokesman spokeswoman spokesperson king queen ceo chairman "
    "member candidate winner contributor maintainer inventor artist composer scientist "
    "physician doctor owner laureate champion wife husband son daughter father mother "
    "successor predecessor rival opponent chief head boss governor mayor senator judge justice "
    "premier manager pilot driver suspect victim creator developer nominee speaker host "
    "commander ambassador secretary chancellor pope official officer"
).split()
_DATE_NOUNS = "year date day month decade century era season version release birthday deadline".split()
_NUMBER_NOUNS = (
    "number percentage percent amount size length width height depth weight population "
    "score total count cost price limit maximum minimum rate speed capacity distance "
    "duration age time turnout tally toll magnitude temperature attendance salary budget "
    "margin figure majority share"
).split()
_NOUN_TYPES = [
    (_PLACE_NOUNS, PLACE), (_ORG_NOUNS, ORG), (_PERSON_NOUNS, PERSON),
    (_DATE_NOUNS, DATE), (_NUMBER_NOUNS, NUMBER),
]

_HOW_MUCH = re.compile(
    r"\bhow (many|much|long|old|far|large|big|tall|high|deep|wide|often|fast|heavy|big)\b", re.I
)
_PROCEDURE = re.compile(
    r"\b(how (do|can|should|would|could|to|does one)|how do you|steps? (to|for)|way to|"
    r"what is the (best )?way)\b", re.I
)
_DEFINITION = re.compile(
    r"^\s*(what|who)\s+(is|are|was|were)\s+(a|an|the)?\s*[\w\- ./`'\"]{1,60}\??\s*$|"
    r"\b(define|definition of|meaning of|what does .{1,40} mean|stand for)\b", re.I
)
# the words after "what" name what is asked for, except after an auxiliary: in "What did
# the ministry say?" they name who said it
_WHICH_NOUN = re.compile(
    r"\b(?:what|which|whose|name the|name of the)\s+"
    r"(?!(?:did|does|do|will|would|can|could|should|has|have|had|might|may|must)\b)"
    r"((?:[\w'.-]+\s*){1,6})",
    re.I,
)
_POSSESSIVE = re.compile(r"\w['\u2019]s\b")

_YEAR = re.compile(r"(?<![\d.])(1[5-9]\d\d|20\d\d)(?![\d.])")
# A number or version as written ("2.11.0", "V2.0", "1,200"), its digits in group 1
NUMERIC = re.compile(r"(?<![\w.])[vV]?(\d+(?:[.,]\d+)*)(?![\w])")
_QUOTED = re.compile(r"[`\"\u201c]([^`\"\u201d]{2,60})[`\"\u201d]")
_IDENTIFIER = re.compile(r"\b[A-Za-z_][\w]*(?:[._][\w]+)+\b|\b[a-z]+[A-Z]\w*\b|\b\w+\(\)")
_CAPITALISED = re.compile(r"\b[A-Z][\w'\-.]*[A-Za-z0-9]|\b[A-Z]\b")


def numeric_tokens(text: str) -> set[str]:
    """The numbers and versions written in a text, as compared with a question's ("1,200" and
    "1200" are one number; "v2.0" is "2.0", and not "2.0.1")."""
    return {m.group(1).replace(",", "") for m in NUMERIC.finditer(text)}


# "Which magazine was started first, Arthur's Magazine or First for Women?": the two things
# compared, after the question's last comma or colon
_ALTERNATIVES = re.compile(r"[,:;]\s*([^,:;?]+?\s+or\s+[^,:;?]+?)\s*\?*\s*$")
_LEADING = re.compile(r"^(?:either|the)\s+", re.I)


def alternatives(question: str) -> tuple[str, ...]:
    """The two named things a question asks to choose between, or () when it asks no such
    choice ("shallow or deep copy" is not two names)."""
    m = _ALTERNATIVES.search(question.strip())
    if not m:
        return ()
    sides = [_LEADING.sub("", side.strip()) for side in re.split(r"\s+or\s+", m.group(1), maxsplit=1)]
    if all(0 < len(side.split()) <= 6 and re.search(r"[A-Z0-9]", side) for side in sides):
        return tuple(sides)
    return ()


_EARLIER = re.compile(r"\b(first|earlier|earliest|later|latest|before|after|sooner|newer|newest|recent|older|oldest|younger|youngest)\b", re.I)
_AGE = re.compile(r"\b(age|aged|died|die|death)\b", re.I)
_MORE = re.compile(r"\b(bigger|biggest|larger|largest|smaller|taller|shorter|longer|higher|lower|more|fewer|less|heavier|faster|slower|deeper|wider|richer|population)\b", re.I)


def compared_type(question: str) -> str:
    """What decides a comparison: the answer is one of the two things it names, and what each
    quote must give is the date ("born first") or number ("died older", "bigger") compared."""
    if _EARLIER.search(question):
        older = re.search(r"\b(older|oldest|younger|youngest)\b", question, re.I)
        return NUMBER if older and _AGE.search(question) else DATE
    return NUMBER if _MORE.search(question) else OTHER


def one_side_questions(question: str) -> list[str]:
    """For a question that compares two things, the question about each of them alone ("Who
    was born first, Doris Day?"): each side's passages are searched for on their own, since
    the passages on one side can crowd the other out of the question's own top k."""
    m = _ALTERNATIVES.search(question.strip())
    pair = alternatives(question)
    if not m or not pair:
        return []
    stem = question.strip()[: m.start()]
    return [f"{stem}, {side}?" for side in pair]


@dataclass
class Asked:
    text: str
    type: str
    years: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)  # other numbers, versions included
    names: set[str] = field(default_factory=set)  # stemmed terms of proper names / identifiers
    terms: set[str] = field(default_factory=set)
    alternatives: tuple[str, ...] = ()  # the two things a "which..., A or B?" question compares

    @property
    def wants_short(self) -> bool:
        # a comparison's answer is one of its two names, not the date or number compared
        return self.type in SHORT_TYPES and not self.alternatives


def _noun_type(word: str) -> str | None:
    single = word[:-1] if word.endswith("s") and len(word) > 3 else word
    for nouns, kind in _NOUN_TYPES:
        if single in nouns or word in nouns:
            return kind
    return None


# what a search-style query adds after its head ("death toll *when* the emergency ended")
_ADDED_CLAUSE = re.compile(
    r"\b(?:when|where|who|whom|whose|which|that|after|before|during|since|while)\b"
)
_ASKING_START = re.compile(
    r"\W*(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|"
    r"should|will|would|has|have|had)\b"
)


# "What does not explain ...?", "Why wouldn't ...?": the question's own verb is negated (not a
# clause inside it: "schools that charge no tuition", "a prime that is not 2")
_NEGATED = re.compile(
    r"^\W*(?:what|which|who|whom|where|when|why|how)\b(?:\s+[\w'-]+){0,3}?\s+"
    r"(?:do|does|did|is|are|was|were|can|could|would|should|will|has|have|had|might|may|must)"
    r"(?:n['\u2019]t\b|\s+not\b|\s+never\b)",
    re.I,
)
# a negation in a quote
NEGATION = re.compile(r"\b(?:not|never|no|none|neither|nor|cannot|without)\b|n['\u2019]t\b", re.I)


def negated(question: str) -> bool:
    """Whether the question asks about what is not so ("What does not explain the failures?")."""
    return bool(_NEGATED.search(question.strip()))


def answer_type(question: str) -> str:
    """The type of the first clause that has one ("HttpUrl max length? when do I get it" asks
    for a number)."""
    clauses = [c for c in re.split(r"(?<=[?;])\s+", question.strip()) if c.strip()] or [question]
    for clause in clauses:
        kind = _clause_type(clause)
        if kind != OTHER:
            return kind
    return OTHER


def _clause_type(question: str) -> str:
    q = question.strip()
    low = q.lower()
    if _PROCEDURE.search(low):
        return PROCEDURE
    if _HOW_MUCH.search(low) or re.search(r"\b(what|which) (percentage|number|amount)\b", low):
        return NUMBER
    # "when" asks for a date at the start of a question, not in "... when parsing JSON?"
    if re.match(r"\W*(when|since when|until when|what time)\b", low) or re.search(
        r"\b(what|which|in what) (year|date|day|month|decade|century|version|release)\b", low
    ):
        return DATE
    if re.match(r"\W*(where|from where|in which place)\b", low):
        return PLACE
    if re.search(r"\bwhy\b|\bfor what reason\b|\bwhat (caused|causes)\b", low):
        return REASON
    m = _WHICH_NOUN.search(low.replace("what's", "what is"))
    if m:  # "what is the maximum string length", "which city": the words after say what
        for word in m.group(1).split()[:5]:
            kind = _noun_type(word)
            if kind:
                return kind
    asks = re.search(r"\b(what|which|who|whom|whose|when|where|why|how)\b", low)
    if not asks or ("?" not in low and not _ASKING_START.match(low)):
        # a search-style query ("2019 election turnout"): its nouns say what is wanted, those
        # before any clause it adds ("death toll when the state of emergency ended")
        head = _ADDED_CLAUSE.split(low)[0]
        for word in reversed(re.findall(r"[a-z]+", head)):
            kind = _noun_type(word)
            if kind:
                return kind
    if re.search(r"\b(who|whom|whose)\b", low):
        # "Who is Noh Kwang-il?" asks what the person is; "Who is the spokesman?" asks a name.
        # "Who is South Korea's foreign minister?" asks who holds the role
        about_a_name = re.match(r"\s*who (is|was|are|were) [A-Z]", q[:1].lower() + q[1:])
        if about_a_name and not _POSSESSIVE.search(q):
            return DEFINITION
        return PERSON
    if _DEFINITION.search(low):
        return DEFINITION
    return OTHER


def analyse(question: str) -> Asked:
    """The question's expected answer type and its constraints."""
    years = set(_YEAR.findall(question))
    numbers = {m.group(1) for m in NUMERIC.finditer(question)} - years
    names: set[str] = set()
    for rx in (_QUOTED, _IDENTIFIER):
        for m in rx.finditer(question):
            names.update(terms(m.group(0)))
    for m in _CAPITALISED.finditer(question):
        if m.start() == 0 and m.group(0).lower() in STOPWORDS | _QUESTION_WORDS:
            continue
        token = m.group(0)
        if token.lower() in STOPWORDS or token.lower() in _QUESTION_WORDS:
            continue
        names.update(terms(token))
    pair = alternatives(question)
    kind = compared_type(question) if pair else answer_type(question)
    return Asked(question, kind, years, numbers, names, set(terms(question)), pair)


_QUESTION_WORDS = frozenset("what which who whom whose when where why how is are was were do does did can".split())
