"""Who does what to whom, and whether it is denied: the structure of a sentence from spaCy's
parse and entities (assistant.nlp), for comparing a claim with the passage it cites (conflicts.py).

Word overlap cannot tell "Japan should seek consent from Seoul" from "Seoul should seek consent
from Japan". Here each entity or noun of a sentence gets a coarse role from the dependency
parse (agent, patient, giver, recipient, possessor, ...), normalised across voice ("X was
censured by Y" = "Y censured X") and across converse verbs ("A seeks consent from B" = "B gives
consent to A"). A claim conflicts with a passage sentence when two of its arguments swap roles,
when it puts another entity in a role the passage gives someone else, or when a word the passage
negates is asserted (or the other way round).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, _stemmer
from assistant.verify.lexical import IRREGULAR
from assistant.verify.names import FILLER, canonical_word
from ingest.sentences import sentence_spans

NAMED = frozenset("PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE".split())
# Verbs whose subject receives what their object names, from someone ("seek consent from B"),
# and those whose subject gives it ("give consent to B"). Snowball stems.
_FROM_VERBS = frozenset(
    "seek obtain get receiv request ask need requir demand win gain borrow buy accept".split()
)
_TO_VERBS = frozenset("give grant provid offer send lend sell suppli award pay".split())
_ASK_VERBS = frozenset("ask beg".split())  # "ask the council for approval": the council gives
# Words that deny what is under them, in the parse: "lacked a timetable", "without consent".
_NEGATING_HEADS = frozenset("lack fail without".split())
_NEGATORS = frozenset("not n't never no none neither nor nobody nothing".split())
_PRONOUNS = frozenset("it he she they".split())
# Date words a claim may invent ("last week"); numbers and month names are checked elsewhere.
_TIME_WORDS = frozenset(
    "yesterday today tomorrow tonight last next ago week weeks month months decade decades "
    "century morning evening night weekend recently earlier later".split()
)
# Verbs that report rather than assert: the claim is what follows them.
_SAY_VERBS = frozenset("say said tell told state add note report announc claim assert argu insist".split())
# Main verbs too generic to require in the passage: paraphrases swap them freely ("give
# consent", "let Tokyo fight", "turned down", "get approval").
GENERIC_VERBS = frozenset(
    "is was be are were been am has have had do does did make get give take let go come becom "
    "turn put keep need use".split()
)
# Verbs too light to say who did what ("X is a spokesman", "X has a plan").
_LIGHT_VERBS = frozenset("is was be are were been am has have had do does did".split())


def _stem(text: str) -> str:
    stem = _stemmer().stemWord(text.lower())
    return IRREGULAR.get(stem, stem)


@dataclass(frozen=True)
class Arg:
    key: tuple[str, ...]  # canonical words of an entity, or ("#stem",) for a common noun
    role: str
    verb: str  # stem of the verb that governs it ("" when none)
    named: bool
    text: str


@dataclass
class Sentence:
    text: str
    args: list[Arg] = field(default_factory=list)
    polarity: dict[str, set[bool]] = field(default_factory=dict)  # content stem -> negated?
    words: tuple[str, ...] = ()  # canonical words, for "is this entity mentioned"
    entities: list[tuple[tuple[str, ...], str, str]] = field(default_factory=list)  # key, label, text
    predicates: list[tuple[str, str]] = field(default_factory=list)  # main verbs: (stem, text)
    times: list[str] = field(default_factory=list)  # date words that are not numbers ("week")


def _governing_verb(tok):
    seen = 0
    while tok.pos_ not in ("VERB", "AUX") and tok.head is not tok and seen < 40:
        tok, seen = tok.head, seen + 1
    return tok if tok.pos_ in ("VERB", "AUX") else None


def _is_passive(verb) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _raw_role(tok) -> tuple[str | None, object]:
    """(role, the token whose verb governs it), following modifiers to the noun they modify:
    the "Japanese" of "the Japanese cabinet approved" is the approving side."""
    for _ in range(10):
        if tok.dep_ in ("compound", "amod", "appos", "conj", "nmod", "flat") and tok.head is not tok:
            tok = tok.head
            continue
        break
    dep = tok.dep_
    head = tok.head
    if dep == "nsubj":
        return ("patient" if _is_passive(head) else "agent"), tok
    if dep in ("nsubjpass", "dobj"):
        return "patient", tok
    if dep == "dative":
        return "recipient", tok
    if dep == "attr":
        return "attr", tok
    if dep == "poss":
        return "poss", tok
    if dep == "pobj":
        prep = head.text.lower()
        if head.dep_ == "agent" or (prep == "by" and _is_passive(head.head)):
            return "agent", tok
        if prep == "from":
            return "giver", tok
        if prep in ("to", "toward", "towards"):
            return "recipient", tok
        return f"prep:{prep}", tok
    return None, tok


def _role(tok) -> tuple[str | None, str]:
    """(role, stem of the governing verb; "" for light verbs such as "is" and "has")."""
    role, at = _raw_role(tok)
    verb_tok = _governing_verb(at.head if at.dep_ != "ROOT" else at)
    verb = _stem(verb_tok.text) if verb_tok is not None else ""
    if role and verb:
        if verb in _FROM_VERBS:
            if role == "agent":
                role = "recipient"
            elif role == "poss" and at.head.dep_ == "dobj":  # "needs Seoul's consent"
                role = "giver"
            elif role == "patient" and verb in _ASK_VERBS and at.dep_ == "dobj":
                role = "giver"  # "ask the council for approval"
        elif verb in _TO_VERBS:
            if role == "agent":
                role = "giver"
            elif role == "patient" and at.pos_ == "PROPN":  # "pay Northwind 2 million euros"
                role = "recipient"
    if role == "poss" and at.head is not at:
        # "the Japanese military's coercion": whose coercion, whatever verb governs it
        return role, "~" + _stem(at.head.text)
    return role, ("" if verb in _LIGHT_VERBS else verb)


def _entity_key(span) -> tuple[str, ...]:
    words = tuple(
        w for t in span
        if t.dep_ not in ("det", "case", "punct") and t.text.lower() not in FILLER and (w := canonical_word(t.text))
    )
    return words or (canonical_word(span.text),)


def _negated_tokens(doc) -> set[int]:
    """Tokens that are denied where they stand: a verb with "not"/"never", a noun with "no",
    what a copula denies ("is not something that can be exercised"), the object of a denied
    verb ("did not include a timetable"), and what "lack", "fail" or "without" govern. Only
    these are compared, not whole subtrees: "has not said whether it will replace" does not
    deny "replace", and the subject of a denied verb is not itself denied."""
    out: set[int] = set()
    for tok in doc:
        low = tok.text.lower()
        if tok.dep_ == "neg" or (low in _NEGATORS and tok.dep_ in ("det", "advmod", "preconj")):
            out.add(tok.head.i)
        if _stem(low) in _NEGATING_HEADS:
            out.update(c.i for c in tok.children if c.dep_ in ("dobj", "pobj", "xcomp"))
    for i in list(out):
        tok = doc[i]
        for child in tok.children:
            if child.dep_ == "dobj" or (tok.pos_ == "AUX" and child.dep_ in ("attr", "acomp")):
                out.add(child.i)
                out.update(g.i for g in child.children if g.dep_ in ("relcl", "acl"))
    return out


def _antecedent(pron, args_by_token: dict[int, Arg]) -> Arg | None:
    """A crude resolution of a subject pronoun in a subordinate clause: the sentence's main
    subject when it is a name ("Japan has taken what Seoul called ... as it has made attempts":
    it = Japan), else the nearest named subject of a clause above it ("the ministry said Japan
    should seek consent when it exercises the right": it = Japan)."""
    root = pron.sent.root
    if pron.head is root:
        return None  # the pronoun is the main subject itself

    def named_subject(verb):
        for child in verb.children:
            arg = args_by_token.get(child.i)
            if child.dep_ in ("nsubj", "nsubjpass") and arg is not None and arg.named:
                return arg
        return None

    found = named_subject(root)
    node, seen = pron.head, 0
    while found is None and node is not root and seen < 20:
        node, seen = node.head, seen + 1
        found = named_subject(node)
    return found


def _sentence(span) -> Sentence:
    s = Sentence(span.text)
    negated = _negated_tokens(span)
    in_entity, by_token = set(), {}
    for ent in span.ents:
        if ent.label_ not in NAMED:
            continue
        key = _entity_key(ent)
        s.entities.append((key, ent.label_, ent.text))
        in_entity.update(range(ent.start, ent.end))
        role, verb = _role(ent.root)
        if role:
            s.args.append(arg := Arg(key, role, verb, True, ent.text))
            by_token[ent.root.i] = arg
    for tok in span:
        # PROPN too: spaCy tags "the foreign ministry" PROPN without calling it an entity
        if tok.pos_ in ("NOUN", "PROPN") and tok.i not in in_entity and tok.dep_ != "compound":
            role, verb = _role(tok)
            if role:
                s.args.append(arg := Arg(("#" + _stem(tok.text),), role, verb, False, tok.text))
                by_token[tok.i] = arg
    for tok in span:
        if tok.pos_ == "PRON" and tok.dep_ in ("nsubj", "nsubjpass") and tok.text.lower() in _PRONOUNS:
            ante = _antecedent(tok, by_token)
            role, verb = _role(tok)
            if ante and role:
                s.args.append(Arg(ante.key, role, verb, ante.named, ante.text))
    for tok in span:
        # "said" is a stop word for matching, not for negation ("has not said")
        if tok.pos_ == "VERB" or (tok.pos_ in ("NOUN", "ADJ", "ADV") and tok.text.lower() not in STOPWORDS):
            s.polarity.setdefault(_stem(tok.text), set()).add(tok.i in negated)
    s.predicates = _predicates(span)
    s.times = [
        t.text.lower() for ent in span.ents if ent.label_ in ("DATE", "TIME") for t in ent
        if t.text.lower() in _TIME_WORDS
    ]
    s.words = tuple(w for w in (canonical_word(t.text) for t in span) if w)
    return s


def _predicates(span) -> list[tuple[str, str]]:
    """What the sentence asserts: its main verb and the verbs joined to it; after a verb of
    saying, the verbs of what was said; after "is", the noun or adjective it is."""
    root = span.root
    heads = [root] + [c for c in root.children if c.dep_ == "conj"]
    out = []
    for verb in heads:
        stem = _stem(verb.text)
        if verb.pos_ == "AUX" or stem in _LIGHT_VERBS:
            # "It was a victory": what is asserted is the complement
            out += [(_stem(c.text), c.text) for c in verb.children
                    if c.dep_ in ("attr", "acomp") and c.pos_ in ("NOUN", "ADJ")]
            continue
        if verb.pos_ != "VERB":
            continue
        if stem in _SAY_VERBS:
            out += [(_stem(c.text), c.text) for c in verb.children if c.dep_ == "ccomp" and c.pos_ == "VERB"]
        else:
            out.append((stem, verb.text))
    return [(stem, text) for stem, text in out if stem not in GENERIC_VERBS and stem not in _SAY_VERBS]


_CACHE: OrderedDict[str, Sentence] = OrderedDict()  # sentence text -> its structure
_CACHE_SIZE = 4096
_CACHE_LOCK = threading.RLock()


def prepare(texts) -> None:
    """Parse, in one batch, every sentence of these texts not parsed yet (spaCy parses a batch
    about twice as fast as the same sentences one by one)."""
    from assistant.nlp import nlp

    wanted = list(dict.fromkeys(t[a:b] for t in texts for a, b in sentence_spans(t)))
    with _CACHE_LOCK:
        todo = [t for t in wanted if t not in _CACHE]
    if not todo:
        return
    parsed = [_sentence(doc[:]) for doc in nlp().pipe(todo, batch_size=64)]
    with _CACHE_LOCK:
        for text, sentence in zip(todo, parsed):
            _CACHE[text] = sentence
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def parse(text: str) -> tuple[Sentence, ...]:
    """The sentences of a text with their structure. The project's sentence splitter cuts them
    (spaCy's parser joins a heading to the paragraph under it); each is parsed once and cached,
    since the same passages come back for every claim and question."""
    spans = sentence_spans(text)
    with _CACHE_LOCK:
        missing = any(text[a:b] not in _CACHE for a, b in spans)
    if missing:
        prepare([text])
    with _CACHE_LOCK:
        out = []
        for a, b in spans:
            sentence = _CACHE.get(text[a:b])
            if sentence is None:  # evicted by another thread meanwhile: parse it again
                prepare([text[a:b]])
                sentence = _CACHE[text[a:b]]
            _CACHE.move_to_end(text[a:b])
            out.append(sentence)
    return tuple(out)
