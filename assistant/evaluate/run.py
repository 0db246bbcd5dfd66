"""Ask every question of a QA set (assistant.evaluate.qaset) of the assistant (and optionally the baseline), collect
per-question outcomes and timings. The numbers themselves come from `metrics.py`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.evaluate.metrics import (
    Outcome,
    best_threshold,
    check_citations,
    check_pages,
    summarise,
    threshold_for_false_refusals,
    threshold_rates,
)
from assistant.evaluate.qaset import QASet, corpus_name
from assistant.settings import Settings


@dataclass
class SystemRun:
    """One system's pass over a set: per-question outcomes plus its ingest timing."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    ingest: dict = field(default_factory=dict)
    llm: dict = field(default_factory=dict)  # run_llm's counts and rates

    def to_dict(self, k: int, threshold: float | None = None) -> dict:
        metrics = {**summarise(self.outcomes, k), **_throughput(self.ingest), **self.llm}
        out = {"metrics": metrics, "ingest": self.ingest}
        scored = [o for o in self.outcomes if o.confidence is not None]
        if scored:
            yes = [o.confidence for o in scored if o.answerable]
            no = [o.confidence for o in scored if not o.answerable]
            out["threshold"] = {
                "current": threshold_rates(yes, no, threshold) if threshold is not None else None,
                "best": best_threshold(yes, no),
                "at_most_5pct_false": threshold_for_false_refusals(yes, no, 0.05),
            }
        out["results"] = [o.to_dict(k) for o in self.outcomes]
        return out


def _throughput(ingest: dict) -> dict:
    seconds = ingest.get("seconds") or 0.0
    # A sync that embedded nothing (a --data-dir already holding the corpus) measured no work.
    if seconds <= 0 or not ingest.get("embedded", True):
        return {"ingest_mb_per_min": None, "ingest_chunks_per_s": None}
    return {
        "ingest_mb_per_min": ingest["bytes"] / 1e6 / (seconds / 60),
        "ingest_chunks_per_s": ingest["chunks"] / seconds,
    }


def _corpus_files(qaset: QASet) -> list[Path]:
    from ingest.sync import discover

    return discover([qaset.corpus])[0]


def _bar(items, desc: str, progress: bool):
    from tqdm import tqdm

    # disable=None: a bar on a terminal, silence in logs and pipes
    return tqdm(items, desc=desc, unit="q", leave=False, disable=None if progress else True)


def _timed_ingest(files: list[Path], ingest) -> dict:
    """ingest() -> (chunks, failed, whether it embedded anything), timed."""
    started = time.perf_counter()
    chunks, failed, embedded = ingest()
    return {
        "seconds": time.perf_counter() - started,
        "bytes": sum(f.stat().st_size for f in files),
        "files": len(files),
        "chunks": chunks,
        "embedded": embedded,
        "failed": [list(f) for f in failed],
    }


def _ask_all(run: SystemRun, qaset: QASet, ask, progress: bool) -> None:
    """ask(question) -> (seconds, text, found, confidence, ranked Documents, citations as
    (source, quote, start, end[, page])); one warm-up question first, so latency is the warm
    one."""
    from ingest.load import load_file

    # Many quotes share a source; cached per run, so an edited file is never read stale.
    loaded = lru_cache(maxsize=None)(load_file)

    def text_of(source: str) -> str:
        return loaded(source).text

    def page_at(source: str, offset: int) -> int | None:
        return loaded(source).page_at(offset)

    ask(qaset.questions[0].question)
    for item in _bar(qaset.questions, run.name, progress):
        latency, text, found, confidence, ranked, citations = ask(item.question)
        checked, bad = check_citations([c[:4] for c in citations], text_of)
        paged, bad_pages = check_pages(
            [(c[0], c[2], c[4]) for c in citations if len(c) > 4], page_at
        )
        run.outcomes.append(
            Outcome(
                question=item.question,
                answers=item.answers,
                sources=item.sources,
                text=text,
                found=found,
                confidence=confidence,
                retrieved=[corpus_name(d.metadata["source"], qaset.corpus) for d in ranked],
                latency_s=latency,
                citations=checked,
                bad_citations=bad,
                pages=paged,
                bad_pages=bad_pages,
                id=item.id,
            )
        )


def run_ours(qaset: QASet, assistant, k: int, progress: bool = True) -> SystemRun:
    """Ingest the corpus, then ask every question through `Assistant.answer`, as users do
    (extractive: the LLM path, if any, is measured apart by run_llm)."""
    run = SystemRun("ours")
    files = _corpus_files(qaset)
    # Neither loading the model nor opening the index is ingest throughput (the baseline's
    # are outside its timer too).
    assistant.embeddings.embed_query("warm-up")
    assistant.store.count()

    def ingest():
        report = assistant.ingest([qaset.corpus], progress=progress)
        return report.chunks, report.failed, bool(report.added or report.updated)

    def ask(question: str):
        started = time.perf_counter()
        answer = assistant.answer(question, mode="extractive")
        latency = time.perf_counter() - started
        # Retrieval is measured apart, at the eval's k, outside the timed call.
        ranked = assistant.retrieve(question, k=k)
        cites = [(c.source, c.quote, c.start, c.end, c.page) for c in answer.citations]
        # float(): a numpy score would break the JSON output
        return latency, answer.text, answer.found, float(answer.confidence), ranked, cites

    run.ingest = _timed_ingest(files, ingest)
    _ask_all(run, qaset, ask, progress)
    return run


def run_llm(qaset: QASet, assistant, k: int, progress: bool = True) -> SystemRun:
    """Every question again through the LLM path (`mode="llm"`), on the index run_ours built.
    Besides the usual metrics: how often the LLM's answer was used, replaced by the extractive
    one because no sentence of it was backed, declined ("the documents don't contain..."), or
    not had at all (timeout, unreachable, ...); and the share of the LLM's sentences that were
    flagged (each sentence of a reply with no backed sentence counts as flagged)."""
    from assistant.answer_types import Answer

    run = SystemRun("llm")
    counts = dict.fromkeys(("asked", "used", "unbacked", "declined", "failed", "sentences", "flagged"), 0)
    warmed = [False]  # _ask_all's first call only warms up: not counted

    def ask(question: str):
        started = time.perf_counter()
        streamed, answer = [], None
        for item in assistant.stream(question, mode="llm"):
            if isinstance(item, Answer):
                answer = item
            else:
                streamed.append(item)
        latency = time.perf_counter() - started
        if warmed[0]:
            _tally(counts, answer, "".join(streamed))
        warmed[0] = True
        ranked = assistant.retrieve(question, k=k)
        cites = [(c.source, c.quote, c.start, c.end) for c in answer.citations]
        return latency, answer.text, answer.found, float(answer.confidence), ranked, cites

    _ask_all(run, qaset, ask, progress)
    asked = counts["asked"]
    run.llm = {**{f"llm_{key}": n for key, n in counts.items()},
               "flag_rate": counts["flagged"] / counts["sentences"] if counts["sentences"] else None}
    for key in ("used", "unbacked", "declined", "failed"):
        run.llm[f"llm_{key}_rate"] = counts[key] / asked if asked else None
    return run


def _tally(counts: dict, answer, streamed: str) -> None:
    """Which way one LLM question went (the notices are llm/answer.py's own)."""
    from assistant.llm.answer import NOT_USED_FAILED, NOT_USED_UNBACKED
    from assistant.verify import claims, clean_reply

    notice = answer.notice or ""
    if answer.mode == "llm":
        counts["asked"] += 1
        if not answer.found:
            counts["declined"] += 1
            return
        counts["used"] += 1
        counts["sentences"] += len(claims(answer.text))
        counts["flagged"] += len(answer.flags)
    elif NOT_USED_UNBACKED in notice:
        counts["asked"] += 1
        counts["unbacked"] += 1
        written = len(claims(clean_reply(streamed)))
        counts["sentences"] += written
        counts["flagged"] += written
    elif NOT_USED_FAILED in notice:
        counts["asked"] += 1
        counts["failed"] += 1
    # otherwise the evidence was too weak to ask the LLM at all


def run_baseline(qaset: QASet, embeddings, k: int, progress: bool = True) -> SystemRun:
    """The LangChain tutorial pipeline on the same set, in a throwaway index of its own."""
    import tempfile

    from assistant.evaluate.baseline import TutorialPipeline

    run = SystemRun("baseline")
    files = _corpus_files(qaset)
    with tempfile.TemporaryDirectory(prefix="eval-baseline-", ignore_cleanup_errors=True) as tmp:
        pipeline = TutorialPipeline(embeddings, tmp)

        def ingest():
            chunks, failed = pipeline.ingest(files)
            return chunks, failed, True

        def ask(question: str):
            started = time.perf_counter()
            text, docs = pipeline.answer(question, k=k)
            latency = time.perf_counter() - started
            # Its "citations" are the retrieved chunks at LangChain's start_index.
            cites = [
                (d.metadata["source"], d.page_content, d.metadata["start_index"],
                 d.metadata["start_index"] + len(d.page_content))
                for d in docs
            ]
            return latency, text, True, None, docs, cites  # it never refuses, has no confidence

        run.ingest = _timed_ingest(files, ingest)
        _ask_all(run, qaset, ask, progress)
    return run


def evaluate(
    qaset: QASet, settings: Settings, k: int, baseline: bool = False, progress: bool = True,
    mode: str = "extractive",
) -> dict:
    """The full results: settings, each system's metrics and per-question outcomes. mode "llm"
    also runs the LLM path beside the extractive one ("llm" in the result)."""
    from assistant.core import Assistant

    assistant = Assistant(settings=settings)
    ours = run_ours(qaset, assistant, k, progress)
    threshold = assistant.refusal_threshold()
    result = {
        "set": str(qaset.root),
        "name": qaset.name,
        "k": k,
        "settings": {
            "embedding_model": settings.embedding_model,
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
            "answer_k": settings.k,
            "refusal_threshold": threshold,
            "llm": settings.llm,
        },
        "ours": ours.to_dict(k, threshold),
        "llm": run_llm(qaset, assistant, k, progress).to_dict(k) if mode == "llm" else None,
        "baseline": None,
    }
    if baseline:
        # The same loaded model, so the comparison is of pipelines, not of embeddings.
        result["baseline"] = run_baseline(qaset, assistant.embeddings, k, progress).to_dict(k)
    return result
