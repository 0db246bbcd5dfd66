"""Markdown for eval results: one set (ours beside the baseline, with ratios) or several sets
side by side (the results table in docs/evaluation.md)."""

from __future__ import annotations

# (metrics key, label; "{k}" is filled in, format kind)
ROWS = [
    ("recall_at_1", "retrieval recall@1", "rate"),
    ("recall_at_k", "retrieval recall@{k}", "rate"),
    ("mrr", "retrieval MRR@{k}", "rate"),
    ("answer_accuracy", "answer accuracy (answerable)", "rate"),
    ("false_refusal_rate", "false refusal rate (answerable) ↓", "rate"),
    ("refusal_rate", "refusal rate (unanswerable)", "rate"),
    ("overall_accuracy", "overall accuracy", "rate"),
    ("citation_validity", "citation validity", "rate"),
    ("page_validity", "citation page validity (PDFs)", "rate"),
    ("answer_chars", "answer length (chars) ↓", "int"),
    ("latency_p50_ms", "latency p50 (ms) ↓", "ms"),
    ("latency_p95_ms", "latency p95 (ms) ↓", "ms"),
    ("ingest_mb_per_min", "ingest (MB/min)", "num"),
    ("ingest_chunks_per_s", "ingest (chunks/s)", "num"),
]
# Rows only the LLM path has (assistant eval --mode llm).
LLM_ROWS = [
    ("flag_rate", "LLM sentences flagged ↓", "rate"),
    ("llm_used_rate", "LLM answer used", "rate"),
    ("llm_unbacked_rate", "LLM reply with no backed sentence ↓", "rate"),
    ("llm_declined_rate", "LLM said the documents don't say", "rate"),
    ("llm_failed_rate", "LLM failed (timeout, unreachable, ...) ↓", "rate"),
]
DASH = "—"


def fmt(value, kind: str) -> str:
    if value is None:
        return DASH
    if kind == "rate":
        return f"{value:.3f}"
    if kind == "int":
        return f"{value:.0f}"
    if kind == "ms":
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def ratio(ours, base) -> str:
    """ours/baseline; a dash when either is missing or the baseline is 0 (e.g. it never
    refuses), where a ratio would say nothing."""
    if ours is None or base is None or base == 0:
        return DASH
    return f"{ours / base:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    aligns = ["---"] + ["---:"] * (len(header) - 1)
    lines = [header, aligns, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def metrics_table(result: dict) -> str:
    """metric | ours [| llm] [| baseline | ours/baseline] for one eval result (run.evaluate);
    with an llm column, the LLM-only rows (flag rate, ...) follow."""
    ours = result["ours"]["metrics"]
    llm = (result.get("llm") or {}).get("metrics")
    base = (result.get("baseline") or {}).get("metrics")
    header = ["metric", "ours"] + (["llm"] if llm else []) + (["baseline", "ours/baseline"] if base else [])
    rows = []
    for key, label, kind in ROWS + (LLM_ROWS if llm else []):
        row = [label.format(k=result["k"]), fmt(ours.get(key), kind)]
        if llm:
            row.append(fmt(llm.get(key), kind))
        if base:
            row += [fmt(base.get(key), kind), ratio(ours.get(key), base.get(key))]
        rows.append(row)
    return _table(header, rows)


def threshold_lines(result: dict) -> list[str]:
    info = result["ours"].get("threshold") or {}
    current, best = info.get("current"), info.get("best")
    lines = []
    # A rate is None when its group is empty (e.g. a set with no unanswerable questions).
    if current and None not in (current["refusal_rate"], current["false_refusal_rate"]):
        lines.append(
            f"- Refusal threshold {current['threshold']:.3g} (confidence below it = refuse): "
            f"refuses {current['refusal_rate']:.1%} of unanswerable and "
            f"{current['false_refusal_rate']:.1%} of answerable questions."
        )
    capped = info.get("at_most_5pct_false")
    if capped and capped["refusal_rate"] is not None:
        lines.append(
            f"- Highest threshold refusing at most 5% of answerable questions: "
            f"{capped['threshold']:.3g} (refuses {capped['refusal_rate']:.1%} of unanswerable, "
            f"{capped['false_refusal_rate']:.1%} of answerable)."
        )
    if best:
        lines.append(
            f"- Best-separating threshold on this set: {best['threshold']:.3g} (refuses "
            f"{best['refusal_rate']:.1%} of unanswerable, {best['false_refusal_rate']:.1%} of "
            f"answerable; balanced accuracy {best['balanced_accuracy']:.3f}). Set it with "
            "ASSISTANT_REFUSAL_THRESHOLD; check it on a second set before trusting it."
        )
    return lines


def markdown_report(result: dict, plot_name: str | None = None) -> str:
    """The whole report: heading, settings, metrics table, threshold notes, failures."""
    m, s = result["ours"]["metrics"], result["settings"]
    plural = "s" if m["questions"] != 1 else ""
    out = [
        f"## Eval: {result['name']}",
        "",
        f"{m['questions']} question{plural} ({m['answerable']} answerable, "
        f"{m['unanswerable']} unanswerable), k={result['k']}. Model {s['embedding_model']}, "
        f"chunks {s['chunk_size']}/{s['chunk_overlap']}, answers from {s['answer_k']} passages, "
        f"{'LLM ' + s['llm'] if s['llm'] and result.get('llm') else 'extractive'}.",
        "",
        metrics_table(result),
        "",
        "↓ = lower is better. Retrieval and answer metrics are over answerable questions; "
        "the baseline (LangChain tutorial: 1000/200 splits, Chroma top-k, top chunk as the "
        "answer) never refuses.",
    ]
    if result.get("llm"):
        out += [
            "",
            f"ours = extractive answers; llm = the same questions answered by {s['llm']} "
            "(`--mode llm`), falling back to the extractive answer when the LLM fails or no "
            "sentence of its reply is backed by its citations. The LLM rows are over the "
            "questions the LLM was asked (weak evidence is refused without asking it); "
            "\"sentences flagged\" counts every sentence of an unbacked reply.",
        ]
    notes = threshold_lines(result)
    if notes:
        out += ["", "### Refusal threshold", "", *notes]
    if plot_name:
        out += ["", f"![answer confidence, answerable vs unanswerable]({plot_name})"]
    failed = result["ours"]["ingest"].get("failed") or []
    if failed:
        out += ["", "### Files that failed to ingest", ""]
        out += [f"- {path}: {reason}" for path, reason in failed]
    return "\n".join(out) + "\n"


def sets_table(results: list[dict]) -> str:
    """The results table (docs/evaluation.md): one column pair (ours, baseline) per set, metrics as rows."""
    header = ["metric"]
    for r in results:
        header += [f"{r['name']} ours"] + ([f"{r['name']} baseline"] if r.get("baseline") else [])
    rows = []
    for key, label, kind in ROWS:
        row = [label.format(k="k")]
        for r in results:
            row.append(fmt(r["ours"]["metrics"].get(key), kind))
            if r.get("baseline"):
                row.append(fmt(r["baseline"]["metrics"].get(key), kind))
        rows.append(row)
    ks = sorted({r["k"] for r in results})
    return _table(header, rows) + f"\n\nk = {', '.join(map(str, ks))}.\n"
