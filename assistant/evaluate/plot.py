"""The confidence plot: where answerable and unanswerable questions' scores fall, and where the
refusal threshold cuts them, so the threshold can be chosen by eye."""

from __future__ import annotations

from pathlib import Path


def confidence_plot(
    answerable: list[float],
    unanswerable: list[float],
    threshold: float,
    path: str | Path,
    title: str = "",
    best: float | None = None,
) -> Path:
    """Write a PNG histogram of the two groups' answer confidence, with the refusal threshold
    (and, when given, the best-separating threshold) as vertical lines. Returns the path."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI; must precede pyplot
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    scores = answerable + unanswerable + [threshold] + ([best] if best is not None else [])
    lo, hi = min(scores), max(scores)
    if hi - lo < 1e-9:  # one value everywhere: give the bins some width
        lo, hi = lo - 0.5, hi + 0.5
    bins = [lo + (hi - lo) * i / 30 for i in range(31)]

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    try:
        ax.hist(answerable, bins=bins, alpha=0.6, color="tab:blue",
                label=f"answerable (n={len(answerable)})")
        ax.hist(unanswerable, bins=bins, alpha=0.6, color="tab:orange",
                label=f"unanswerable (n={len(unanswerable)})")
        ax.axvline(threshold, color="tab:red", linewidth=2,
                   label=f"refusal threshold {threshold:.3g}")
        if best is not None and abs(best - threshold) > 1e-9:
            ax.axvline(best, color="dimgray", linestyle="--",
                       label=f"best-separating {best:.3g}")
        ax.set_xlabel("answer confidence (refused below the threshold)")
        ax.set_ylabel("questions")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts, not fractions
        ax.set_title(title or "Answer confidence")
        ax.legend(loc="best")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)  # figures otherwise pile up in pyplot's registry
    return path


def plot_result(result: dict, path: str | Path) -> Path | None:
    """The plot for one eval result (run.evaluate); None when no answer carried a confidence."""
    rows = [r for r in result["ours"]["results"] if r.get("confidence") is not None]
    if not rows:
        return None
    best = (result["ours"].get("threshold") or {}).get("best")
    return confidence_plot(
        [r["confidence"] for r in rows if r["answerable"]],
        [r["confidence"] for r in rows if not r["answerable"]],
        result["settings"]["refusal_threshold"],
        path,
        title=f"Answer confidence on {result['name']}",
        best=best["threshold"] if best else None,
    )
