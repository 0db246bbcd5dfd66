"""Where a claim's structure conflicts with a passage sentence's (both from structure.parse):
two arguments swapped, another name put in a role, a negation flipped."""

from __future__ import annotations

from assistant.verify.names import same_entity
from assistant.verify.structure import Arg, Sentence

# Roles whose exchange changes the meaning; "prep:in" and the like are too loose to compare.
CORE = frozenset("agent patient giver recipient poss attr".split())
_ACTORS = frozenset("agent patient giver recipient".split())  # who does what to whom


def _roles(args: list[Arg], key: tuple[str, ...], verb: str | None = None) -> set[str]:
    return {a.role for a in args if same_entity(a.key, key) and (verb is None or a.verb == verb)}


def swapped_roles(claim: Sentence, passage: Sentence) -> str | None:
    """Two of the claim's arguments hold each other's roles in the passage."""
    core = [a for a in claim.args if a.role in CORE]
    for i, x in enumerate(core):
        for y in core[i + 1 :]:
            if x.role == y.role or same_entity(x.key, y.key):
                continue
            if not (x.named or y.named) and not {x.role, y.role} <= _ACTORS:
                continue  # two common nouns: only who acts on whom is compared
            px, py = _roles(passage.args, x.key), _roles(passage.args, y.key)
            if x.role in py and y.role in px and x.role not in px and y.role not in py:
                return f"the roles of {x.text} and {y.text} are swapped"
    return None


def substituted(claim: Sentence, passage: Sentence) -> str | None:
    """The claim puts X where the passage, with the same verb, has Y, and does not give Y that
    role itself."""
    for x in claim.args:
        if x.role not in _ACTORS | {"poss"} or not x.verb:
            continue
        if x.role in _roles(passage.args, x.key, x.verb):
            continue
        if not any(same_entity(a.key, x.key) for a in passage.args) and not x.named:
            continue  # an unmentioned common noun: word coverage judges it
        for z in passage.args:
            if z.verb != x.verb or z.role != x.role or same_entity(z.key, x.key):
                continue
            if not (x.named or z.named):
                continue
            if any(same_entity(a.key, z.key) and a.role == z.role and a.verb == z.verb for a in claim.args):
                continue  # the claim gives Y that role too
            return f"it names {x.text} where the passage has {z.text}"
    return None


def flipped_negation(claim: Sentence, passage: Sentence) -> str | None:
    """A word the claim asserts and the passage denies, or the other way round."""
    for stem, negated in claim.polarity.items():
        there = passage.polarity.get(stem)
        if there and not (negated & there):
            return "it negates what the passage says" if True in negated else "the passage negates it"
    return None


def conflict(claim: Sentence, passage: Sentence) -> str | None:
    return swapped_roles(claim, passage) or substituted(claim, passage) or flipped_negation(claim, passage)
