"""A plain `pip install .` (a built wheel) carries the seeds and prompts: answer() works from any
directory, not only from a source checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_seeds_and_prompts_and_finds_them_installed(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next((tmp_path / "dist").glob("doc_assistant-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import assistant.resources as r; "
        "assert r.__file__.startswith(%r), r.__file__; "
        "print(sorted(p.name for p in r.seeds_dir().iterdir())); "
        "print(r.prompt('answer_system')[:20])" % str(site)
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 0, out.stderr
    assert "yonhap-korea-japan-collective-self-defense.txt" in out.stdout
    assert "You answer questions" in out.stdout
