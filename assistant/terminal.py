"""Text made safe to print on a terminal.

Document text and file names are not ours: an escape sequence in them (`ESC ] 0 ; TITLE BEL`
retitles the window, `ESC [ 31 m` colours everything after it, `ESC [ 2 J` clears the screen)
would be obeyed by the terminal if printed raw. Everything the CLI prints that comes from a
document, a file name or an error message goes through `for_terminal`.
"""

from __future__ import annotations

import re

# Whole escape sequences first, so their parameters do not stay behind as visible junk:
# OSC (ESC ] ... BEL or ESC \), DCS/SOS/PM/APC strings (ESC P/X/^/_ ... ESC \), CSI
# (ESC [ params final, or the 8-bit CSI \x9b), then any other two-character ESC sequence.
_SEQUENCE = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[ -/]*[0-~]?"
)
# Every other C0 control but tab and newline, DEL, C1 controls, and the bidirectional
# overrides/isolates that make a terminal show text in another order than it is ("Trojan
# Source"): none of them is text a person needs to see.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def for_terminal(text: object) -> str:
    """str(text) without escape sequences and control characters (tab and newline kept; a
    carriage return, which could overwrite what was printed, becomes nothing), and with any
    lone surrogate (a file name byte that is not UTF-8) as a \\x escape, so print() cannot
    fail on it."""
    return _CONTROL.sub("", _SEQUENCE.sub("", _printable(str(text))))


def _printable(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:  # bytes the file system gave that are not UTF-8: shown as the bytes they are
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def json_for_terminal(text: str) -> str:
    """JSON text (from json.dumps(..., ensure_ascii=False)) with the characters json leaves raw
    but a terminal would obey (DEL, C1 controls, bidi overrides) written as \\u escapes: still
    the same JSON value, now inert. json.dumps escapes C0 controls itself."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
