"""Rebuild an eval set's corpus/ from its manifest and a local copy of the source repository.

    python evalsets/assemble.py evalsets/docs-md GIT_DIR [GIT_DIR...]

The documents are not in this repository (their licences are noted in each SOURCE.md, and they
are public); a set's manifest.tsv lists, one line a document: repository, commit, path in the
repository, path under corpus/, and optionally `csv-row:N` when the document is record N (0 =
the first record after the header) of a CSV file with `title` and `text` columns, written out
as the title, a blank line and the text. GIT_DIR is a clone (or bare mirror) of the repository
holding that commit; files are read with `git show COMMIT:PATH`, so the corpus is byte for byte
what the questions were written against. The set is then ready for `assistant eval SET_DIR`.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path


def git_show(git_dir: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True, capture_output=True,
    ).stdout


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    set_dir = Path(argv[0])
    gits = [Path(g) for g in argv[1:]]
    corpus = set_dir / "corpus"
    csv_cache: dict[tuple[str, str], list[dict]] = {}
    written = 0
    for line in (set_dir / "manifest.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        repo, commit, path, dest, *extra = line.split("\t")
        git_dir = next((g for g in gits if _has(g, commit)), None)
        if git_dir is None:
            print(f"error: no GIT_DIR given holds {repo} at {commit}; clone it and pass its path", file=sys.stderr)
            return 1
        data = git_show(git_dir, commit, path)
        if extra and extra[0].startswith("csv-row:"):
            rows = csv_cache.setdefault((commit, path), list(csv.DictReader(io.StringIO(data.decode("utf-8")))))
            row = rows[int(extra[0].split(":", 1)[1])]
            data = (row["title"] + "\n\n" + row["text"]).encode("utf-8")
        target = corpus / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    print(f"wrote {written} documents to {corpus}")
    return 0


def _has(git_dir: Path, commit: str) -> bool:
    probe = subprocess.run(["git", f"--git-dir={git_dir}", "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True)
    return probe.returncode == 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
