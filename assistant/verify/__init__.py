"""Checking an LLM's answer against the passages it cites.

Every sentence must cite at least one retrieved passage ([n]), and one of the passages it cites
must back it: the same numbers, the named entities it mentions, most of its content words, and
no conflict in structure (who does what to whom, what is denied). Sentences that fail are
flagged with the reason; see support.py and structure.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer_types import Flag
from assistant.verify.citations import Claim, claims, clean_reply
from assistant.verify.support import Verdict, best_sentence, verdict

REFUSAL_HINTS = (
    "don't contain", "do not contain", "does not contain", "doesn't contain", "not mentioned",
)

__all__ = [
    "CheckedSentence", "Claim", "Verdict", "best_sentence", "check_answer", "claims",
    "clean_reply", "is_refusal", "verdict",
]


@dataclass
class CheckedSentence:
    text: str  # without its markers
    start: int  # offsets of the sentence and its markers in the cleaned reply
    end: int
    cited: list[int]  # the valid passage numbers it cites
    flag: Flag | None

    @property
    def backed(self) -> bool:
        return bool(self.cited) and self.flag is None


def is_refusal(text: str) -> bool:
    low = text.lower().replace("\u2019", "'")
    return any(h in low for h in REFUSAL_HINTS)


def check_answer(text: str, passages: list[str]) -> list[CheckedSentence]:
    """Every sentence of a cleaned reply (clean_reply), with the passages it validly cites and
    a flag when its citations don't back it."""
    from assistant.verify import structure

    found = claims(text)
    cited = {n for c in found for n in c.cited if 1 <= n <= len(passages)}
    structure.prepare([c.text for c in found] + [passages[n - 1] for n in sorted(cited)])  # one batch
    out = []
    for claim in found:
        valid = list(dict.fromkeys(n for n in claim.cited if 1 <= n <= len(passages)))
        invalid = [n for n in claim.cited if n not in valid]
        reason = None
        if not claim.cited:
            reason = None if is_refusal(claim.text) else "no citation"
        elif not valid:
            reason = f"cites [{invalid[0]}], which is not one of the passages"
        else:
            verdicts = [(n, verdict(claim.text, passages[n - 1])) for n in valid]
            if not any(v.backed for _, v in verdicts):
                n, worst = max(verdicts, key=lambda nv: nv[1].coverage)
                cited = ", ".join(f"[{m}]" for m in valid)
                reason = f"not supported by {cited}: {worst.why}"
        flag = Flag(claim.text, reason, claim.start, claim.end) if reason else None
        out.append(CheckedSentence(claim.text, claim.start, claim.end, valid, flag))
    return out
