"""Load test for `assistant ui`: N concurrent gradio_client users asking through the `/ask` API.

    python benchmarks/load_ui.py                          # 20 users x 10 questions, one UI it starts
    python benchmarks/load_ui.py --ingest 60              # ... while another process ingests 60 files
    python benchmarks/load_ui.py --chroma-url http://127.0.0.1:8000 --processes 2 --ingest 60
    python benchmarks/load_ui.py --url http://127.0.0.1:7860/ --users 5 --questions 4

It starts the UI itself (`python -m assistant ui --port P --data-dir D`, a fresh temporary data
dir unless --data-dir is given; the bundled documents are ingested at start-up) or drives one
already running (--url). Loopback only: the UI and the Chroma server must be on this machine.
Everything is bounded: each user asks a fixed number of questions, each request has a timeout,
and the whole run a deadline.

--ingest N: once the users are asking, a second process (`python -m assistant ingest`, on the
same data dir, or through the same Chroma server) ingests N generated files, then edits every
one and ingests again (replacing their chunks); users keep asking until it is done. Afterwards
the UI must answer from the edited files and never quote the replaced text.

Prints throughput, p50/p95 latency and errors; exit status 0 only when there were no errors.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find ui_process
from ui_process import UI, is_loopback_url, start_ui  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FALLBACK_QUESTIONS = [
    "What consent does Seoul require?",
    "When may Japan use the right on the Korean Peninsula?",
    "Why is South Korea unnerved by Japan's push?",
]


# -- helpers ------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def load_questions() -> list[str]:
    path = ROOT / "tests" / "qa" / "seed" / "questions.jsonl"
    if not path.exists():
        return FALLBACK_QUESTIONS
    out = [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]
    return out or FALLBACK_QUESTIONS


# -- the users ----------------------------------------------------------------------------------
@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    found: int = 0
    during_ingest: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float, found: bool, during_ingest: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.found += found
            self.during_ingest += during_ingest

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)


def check_answer(answer: object) -> str | None:
    """None when the answer keeps the API's contract, else what is wrong."""
    if not isinstance(answer, dict) or not {"text", "found", "citations"} <= set(answer):
        return f"not an Answer: {str(answer)[:200]}"
    if answer["found"] and not answer["citations"]:
        return "an answer without citations"
    for c in answer["citations"]:
        at = c["start"] - c["passage_start"]
        if c["passage"][at : at + len(c["quote"])] != c["quote"]:
            return f"citation [{c['n']}] does not quote its passage"
    return None


def user(n: int, url: str, questions: list[str], count: int, keep_going: threading.Event,
         results: Results, args, deadline: float, started: threading.Barrier) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        results.error(f"user {n}: cannot connect: {type(exc).__name__}: {exc}")
        started.abort()
        return
    try:
        started.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    rng = random.Random(n)
    limit = count * args.max_extra_rounds  # while an ingest runs, users keep asking, up to this
    for i in range(limit):
        if time.monotonic() > deadline or (i >= count and not keep_going.is_set()):
            break
        question = rng.choice(questions)
        during = keep_going.is_set()
        t0 = time.monotonic()
        try:
            job = client.submit(question, None, None, None, api_name="/ask")
            answer = job.result(timeout=args.request_timeout)
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            results.error(f"user {n} q{i}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        problem = check_answer(answer)
        if problem:
            results.error(f"user {n} q{i}: {problem}")
        else:
            results.ok(time.monotonic() - t0, bool(answer["found"]), during)


# -- the concurrent ingest ----------------------------------------------------------------------
FACT = "Depot {i} of the {name} tramway was opened in {year} by the {name} transit board."
NAMES = ["Quillfeather", "Marrowdale", "Vintrobe", "Oskelund", "Pellinore", "Harrowgate",
         "Zanderfield", "Corvistan", "Lumbridge", "Ostravel"]


def write_corpus(folder: Path, n: int, version: int) -> None:
    for i in range(n):
        name = NAMES[i % len(NAMES)] + str(i)
        year = 1800 + i + (100 if version == 2 else 0)
        (folder / f"tram{i:03d}.txt").write_text(
            f"{FACT.format(i=i, name=name, year=year)} The depot housed {i % 7 + 2} cars.\n\n"
            f"In {year + 5} the {name} line was extended to the harbour."
        )


def run_ingests(folder: Path, n: int, args, keep_going: threading.Event, report: dict) -> None:
    cmd = [sys.executable, "-m", "assistant", "ingest", str(folder), "--json", "--data-dir", str(args.data_dir)]
    if args.chroma_url:
        cmd += ["--chroma-url", args.chroma_url]
    try:
        for version in (1, 2):
            write_corpus(folder, n, version)
            t0 = time.monotonic()
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.max_seconds)
            except subprocess.TimeoutExpired:
                report[f"round {version}"] = {"error": "timed out"}
                return
            entry = {"seconds": round(time.monotonic() - t0, 1), "exit": done.returncode}
            try:
                entry.update(json.loads(done.stdout))
            except ValueError:
                entry["stderr"] = done.stderr[-1000:]
            report[f"round {version}"] = entry
    finally:
        keep_going.clear()


def probe(url: str, n: int, args) -> list[str]:
    """After the ingest: the UI answers from the edited files and never quotes the old text."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    problems = []
    for i in random.Random(0).sample(range(n), min(n, 5)):
        name = NAMES[i % len(NAMES)] + str(i)
        answer = client.submit(f"When was depot {i} of the {name} tramway opened?", None, None, None,
                               api_name="/ask").result(timeout=args.request_timeout)
        new, old = str(1900 + i), str(1800 + i)
        if not answer["found"] or new not in answer["text"]:
            problems.append(f"{url}: depot {i}: the edited text was not found: {answer['text'][:160]}")
        if any(f"opened in {old}" in c["quote"] for c in answer["citations"]):
            problems.append(f"{url}: depot {i}: quoted the replaced version")
    return problems


# -- main ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", action="append", help="a running UI (loopback); repeat for several")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--questions", type=int, default=10, help="questions per user")
    p.add_argument("--processes", type=int, default=1, help="UI processes to start (users spread over them)")
    p.add_argument("--data-dir", type=Path, help="default: a fresh temporary dir")
    p.add_argument("--chroma-url", help="a Chroma server (loopback) instead of the embedded store")
    p.add_argument("--ingest", type=int, default=0, metavar="N", help="ingest N generated files meanwhile")
    p.add_argument("--request-timeout", type=float, default=120.0)
    p.add_argument("--max-seconds", type=float, default=900.0, help="deadline for the whole run")
    p.add_argument("--max-extra-rounds", type=int, default=20,
                   help="while ingesting, a user asks at most this many times --questions")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    for url in (args.url or []) + ([args.chroma_url] if args.chroma_url else []):
        if not is_loopback_url(url):
            p.error(f"{url} is not on this machine; this script only drives loopback servers")
    if args.url and args.ingest and not args.data_dir and not args.chroma_url:
        p.error("--ingest with --url needs the UI's --data-dir (or --chroma-url)")
    if not 1 <= args.users <= 200 or not 1 <= args.questions <= 1000 or not 1 <= args.processes <= 8:
        p.error("keep it bounded: 1-200 users, 1-1000 questions each, 1-8 processes")

    deadline = time.monotonic() + args.max_seconds
    work = Path(tempfile.mkdtemp(prefix="load-ui-"))  # logs, generated files, default data dir
    known_dir = args.data_dir is not None or not args.url  # given, or the UIs we start use it
    args.data_dir = args.data_dir or work / "data"
    index = args.chroma_url or (str(args.data_dir) if known_dir else "the UI's own")
    status = 1
    uis: list[UI] = []
    try:
        if args.url:
            uis = [UI(u if u.endswith("/") else u + "/") for u in args.url]
        else:
            t0 = time.monotonic()
            for _ in range(args.processes):  # one after another: each seeds/loads the model
                uis.append(start_ui(args.data_dir, args.chroma_url, work, deadline))
            print(f"started {len(uis)} UI process(es) in {time.monotonic() - t0:.1f}s", file=sys.stderr)
        from gradio_client import Client

        t0 = time.monotonic()
        for ui in uis:  # waits for the warm-up (seed ingest, model load) of each
            Client(ui.url, verbose=False).submit(api_name="/documents").result(timeout=args.max_seconds)
        print(f"index ready in {time.monotonic() - t0:.1f}s", file=sys.stderr)

        questions = load_questions()
        results = Results()
        keep_going = threading.Event()
        ingest_report: dict = {}
        started = threading.Barrier(args.users + 1)
        threads = [
            threading.Thread(
                target=user,
                args=(i, uis[i % len(uis)].url, questions, args.questions, keep_going, results, args,
                      deadline, started),
                daemon=True,
            )
            for i in range(args.users)
        ]
        ingester = None
        if args.ingest:
            keep_going.set()
            folder = work / "incoming"
            folder.mkdir()
            ingester = threading.Thread(
                target=run_ingests, args=(folder, args.ingest, args, keep_going, ingest_report), daemon=True
            )
        for t in threads:
            t.start()
        try:
            started.wait(timeout=180)  # every user connected: now the clock runs
        except threading.BrokenBarrierError:
            pass
        t0 = time.monotonic()
        if ingester:
            ingester.start()
        for t in threads:
            t.join(timeout=max(1.0, deadline - time.monotonic()))
        wall = time.monotonic() - t0
        if ingester:
            ingester.join(timeout=max(1.0, deadline - time.monotonic()))
        probe_problems: list[str] = []
        if args.ingest:
            for ui in uis:
                try:
                    probe_problems += probe(ui.url, args.ingest, args)
                except Exception as exc:  # noqa: BLE001
                    probe_problems.append(f"{ui.url}: probe failed: {type(exc).__name__}: {exc}")
            for name, entry in ingest_report.items():
                if entry.get("exit") != 0:
                    probe_problems.append(f"ingest {name} failed: {entry}")
        if any(t.is_alive() for t in threads):
            results.error("some users were still waiting at the deadline")

        n = len(results.latencies)
        summary = {
            "users": args.users,
            "questions_per_user": args.questions,
            "ui_processes": len(uis),
            "index": index,
            "requests_ok": n,
            "errors": len(results.errors),
            "wall_seconds": round(wall, 1),
            "throughput_qps": round(n / wall, 2) if wall else None,
            "latency_p50_s": round(percentile(results.latencies, 50), 2),
            "latency_p95_s": round(percentile(results.latencies, 95), 2),
            "latency_max_s": round(max(results.latencies, default=float("nan")), 2),
            "found": results.found,
            "answered_during_ingest": results.during_ingest,
            "ingest": ingest_report,
            "consistency_problems": probe_problems,
            "error_samples": results.errors[:10],
        }
        if args.json:
            print(json.dumps(summary, indent=2))
        else:
            print(f"{args.users} users x {args.questions} questions -> {len(uis)} UI process(es), "
                  f"index {summary['index']}")
            print(f"requests ok {n}, errors {len(results.errors)}, wall {summary['wall_seconds']}s, "
                  f"throughput {summary['throughput_qps']} questions/s")
            print(f"latency p50 {summary['latency_p50_s']}s, p95 {summary['latency_p95_s']}s, "
                  f"max {summary['latency_max_s']}s; found {results.found}/{n}")
            if args.ingest:
                for name, entry in ingest_report.items():
                    print(f"ingest {name}: {json.dumps(entry)}")
                print(f"answered while ingesting: {results.during_ingest}; after: "
                      f"{'ok' if not probe_problems else probe_problems}")
            for e in results.errors[:10]:
                print(f"error: {e}")
        status = 0 if not results.errors and not probe_problems else 1
        return status
    finally:
        for ui in uis:
            ui.stop()
        if status == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs and data kept in {work}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
