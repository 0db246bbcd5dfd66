"""Files shipped with the project: the default corpus (seeds/) and the prompts (prompts/)."""

from __future__ import annotations

from pathlib import Path


def bundled_dir(name: str) -> Path:
    """A wheel carries them as assistant/_bundled/NAME (see pyproject.toml); a source checkout
    or an editable install finds them at the top of the repository."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled" / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the bundled '{name}' folder is missing; reinstall doc-assistant")


def seeds_dir() -> Path:
    return bundled_dir("seeds")


def prompt(name: str) -> str:
    return (bundled_dir("prompts") / f"{name}.txt").read_text(encoding="utf-8")
