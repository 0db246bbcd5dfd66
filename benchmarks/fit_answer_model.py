"""Fit the extractive answerer's ranker and confidence model (assistant/answer_model.json) on QA
sets in the `assistant eval` layout, and report how they do on each set, including sets held
out of the fit.

    python benchmarks/fit_answer_model.py SET_DIR... [--hold-out NAME...] [--write]
        [--index-root DIR] [--max-false-refusal 0.05] [--keep-ranker | --new-features-only]

Each set is ingested into INDEX_ROOT/NAME (kept between runs: a re-run only syncs), and each
question is retrieved once; retrieval is cached in INDEX_ROOT/NAME.retrieval.pkl per code
version of the index, so changing features refits in seconds.

- Ranker: logistic regression over assistant.features.FEATURES, one row per candidate unit of
  an answerable question, labelled by whether the quote (with its heading prefix when the
  answer shows one) contains a gold answer.
- Confidence: logistic regression over answer_model.CONFIDENCE_FEATURES, one row per question,
  labelled 1 when the chosen answer is correct, 0 when it is wrong or the question has no
  answer in the documents. Its output is Answer.confidence.
- Threshold: the highest probability at which at most --max-false-refusal of the answerable
  questions of the fitted sets are refused; written as the refusal_threshold default to use.

Needs SciPy (installed with the test extra: pip install -e ".[test]").
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answer_model import CONFIDENCE_FEATURES, MODEL_FILE, AnswerModel, Linear  # noqa: E402
from assistant.asking import analyse  # noqa: E402
from assistant.evaluate.metrics import contains_answer  # noqa: E402
from assistant.evaluate.qaset import load_set  # noqa: E402
from assistant.features import FEATURES  # noqa: E402


@dataclass
class Item:
    set_name: str
    question: str
    answers: list[str]
    q: object  # assistant.scoring.Query, without its score cache
    docs: list


def retrieve_all(set_dir: Path, index_root: Path, k: int) -> list[Item]:
    from assistant.core import Assistant
    from assistant.question import clean_question
    from assistant.scoring import UNSEEN_TERM, Query

    qaset = load_set(set_dir)
    name = qaset.name
    a = Assistant(data_dir=index_root / name)
    a.ingest([qaset.corpus])
    cache = index_root / f"{name}.retrieval.pkl"
    generation = (a.store.generation, a.store.count())
    if cache.exists():
        stored = pickle.loads(cache.read_bytes())
        if stored["generation"] == generation and len(stored["items"]) == len(qaset.questions):
            return stored["items"]
    lexical = a.retriever.lexical()
    items = []
    for item in qaset.questions:
        text, _ = clean_question(item.question, a.settings.max_question_chars)
        vector = a.store.embeddings.embed_query(text)
        q = Query.make(text, vector, lexical.idf, lambda t: lexical.doc_freq.get(t, 0))
        docs = a.retriever.invoke(text, k=k, prepared=q)
        df = {t: lexical.doc_freq.get(t, 0) for t in q.terms}
        idf = {t: lexical.idf(t) for t in q.terms | {UNSEEN_TERM}}
        q.idf = idf.get
        q.doc_freq = df.get
        q.scored = {}
        items.append(Item(name, item.question, item.answers, q, docs))
    cache.write_bytes(pickle.dumps({"generation": generation, "items": items}))
    return items


def _fresh(q):
    q.scored = {}
    return q


def set_weights(items) -> dict[str, float]:
    """Each set weighs the same in a fit, however many questions it has."""
    from collections import Counter

    counts = Counter(it.set_name for it in items)
    return {name: len(items) / (len(counts) * n) for name, n in counts.items()}


def candidate_rows(items, model):
    from assistant.citing import answer_text, citations_for
    from assistant.extractive import ranked

    X, y, groups, weights = [], [], [], []
    per_set = set_weights(items)
    for gi, it in enumerate(items):
        if not it.answers:
            continue
        asked = analyse(it.q.text)
        for c in ranked(_fresh(it.q), it.docs, asked, model):
            shown = answer_text(citations_for([c], asked))
            X.append([c.features[f] for f in FEATURES])
            y.append(int(contains_answer(shown, it.answers)))
            groups.append(gi)
            weights.append(per_set[it.set_name])
    return X, y, groups, weights


# Features whose direction is known: more evidence never lowers a score or a confidence. The
# fits keep these signs, so a quirk of one training set (SQuAD's questions use words their
# paragraphs lack even when answerable) cannot teach the model that missing words are good.
POSITIVE = frozenset(
    "dense lex lexctx rank_inv chunk_dense type_hit cons_hit name_unit cover prev_lex phrase "
    "ctx_dense best_dense best_lex rank_score margin passage_cover measure_hit verb_hit".split()
)
NEGATIVE = frozenset(
    "type_miss cons_missing cons_conflict name_missing restate question_mark oov names_oov "
    "miss_max no_overlap dense_low measure_miss unit_miss unit_miss_max verb_miss code_off "
    "neg_miss".split()
)


def sign_bounds(names):
    return [(0, None) if n in POSITIVE else (None, 0) if n in NEGATIVE else (None, None) for n in names]


def fit_listwise(X, y, groups, weights, names, l2=0.01):
    """Conditional logit: per question, a softmax over its candidates, maximising the
    probability given to the ones that hold the answer (questions without any are skipped).
    The ranker only ever compares candidates of one question, so this is what it should fit."""
    import numpy as np
    from scipy.optimize import minimize

    X, y, groups = np.asarray(X, float), np.asarray(y, float), np.asarray(groups)
    weights = np.asarray(weights, float)
    order = np.argsort(groups, kind="stable")
    X, y, groups, weights = X[order], y[order], groups[order], weights[order]
    bounds = np.flatnonzero(np.diff(groups)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(groups)]])
    keep = [(a, b) for a, b in zip(starts, ends) if y[a:b].any()]
    total_weight = sum(weights[a] for a, _ in keep)

    def loss(w):
        total, grad = 0.0, np.zeros_like(w)
        for a, b in keep:
            g = weights[a]
            z = X[a:b] @ w
            z -= z.max()
            p = np.exp(z)
            p /= p.sum()
            pos = y[a:b] > 0
            mass = p[pos].sum()
            total -= g * np.log(mass + 1e-12)
            q = np.where(pos, p / (mass + 1e-12), 0.0)
            grad -= g * ((q - p) @ X[a:b])
        total = total / total_weight + l2 * w @ w
        grad = grad / total_weight + 2 * l2 * w
        return total, grad

    w = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", bounds=sign_bounds(names)).x
    return Linear({n: round(float(v), 4) for n, v in zip(names, w)}, 0.0)


def fit_logistic(X, y, names, l2=0.001, weights=None, offset=None):
    """Weighted logistic regression with the sign constraints (scipy's L-BFGS-B takes the
    bounds; scikit-learn's LogisticRegression has no per-coefficient sign constraint). With
    `offset` (a score per row from weights already fitted), only the given features' weights
    are fitted on top of it, and the bias stays where it was (returned as 0)."""
    import numpy as np
    from scipy.optimize import minimize

    X, y = np.asarray(X, float), np.asarray(y, float)
    g = np.ones(len(y)) if weights is None else np.asarray(weights, float)
    Xb = np.hstack([X, np.ones((len(X), 1))])
    base = np.zeros(len(y)) if offset is None else np.asarray(offset, float)

    def loss(w):
        z = Xb @ w + base
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        eps = 1e-12
        total = -(g * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum() / g.sum()
        grad = Xb.T @ (g * (p - y)) / g.sum()
        total += l2 * w[:-1] @ w[:-1]
        grad[:-1] += 2 * l2 * w[:-1]
        return total, grad

    bounds = sign_bounds(names) + [(None, None) if offset is None else (0, 0)]
    w = minimize(loss, np.zeros(Xb.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds).x
    return Linear({n: round(float(v), 4) for n, v in zip(names, w[:-1])}, round(float(w[-1]), 4))


def answer_rows(items, model, max_sentences=3):
    """Per question: confidence features of the chosen answer and whether it is correct."""
    from assistant.citing import answer_text, citations_for
    from assistant.extractive import choose, decide

    rows = []
    for it in items:
        d = decide(_fresh(it.q), it.docs, model)
        if d is None:
            continue
        text = answer_text(citations_for(choose(d.ranking, max_sentences, d.asked), d.asked))
        correct = bool(it.answers) and contains_answer(text, it.answers)
        rows.append((it, d.features, correct, text))
    return rows


def final_confidence(row, model) -> float:
    """The confidence the answerer reports: the model's, after its hard rules (a question that
    names what no document mentions)."""
    from assistant.extractive import UNKNOWN_NAME_CONFIDENCE

    p = model.confidence.probability(row[1])
    return min(p, UNKNOWN_NAME_CONFIDENCE) if row[1].get("names_oov", 0) > 0 else p


def report(name, rows, model, threshold):
    A = [r for r in rows if r[0].answers]
    U = [r for r in rows if not r[0].answers]
    probs = {id(r): final_confidence(r, model) for r in rows}
    acc_all = sum(r[2] for r in A) / max(1, len(A))
    kept_correct = sum(r[2] and probs[id(r)] >= threshold for r in A) / max(1, len(A))
    false_ref = sum(probs[id(r)] < threshold for r in A) / max(1, len(A))
    refused = sum(probs[id(r)] < threshold for r in U) / max(1, len(U)) if U else float("nan")
    # how well confidence separates this set's near misses from its answers, whatever the
    # threshold: near misses refused at the set's own threshold for <= 5% false refusals
    own = threshold_for(rows, model, 0.05)
    separable = sum(probs[id(r)] < own for r in U) / max(1, len(U)) if U else float("nan")
    print(f"  {name:14s} answerable {len(A):3d}  top-answer acc {acc_all:.3f}  acc {kept_correct:.3f}  "
          f"false refusals {false_ref:.3f}  near-miss refused {refused:.3f} ({len(U)})  "
          f"at its own 5% threshold {separable:.3f}")


def threshold_for(rows, model, max_false):
    probs = sorted(final_confidence(r, model) for r in rows if r[0].answers)
    allowed = int(max_false * len(probs))
    return probs[allowed] - 1e-6 if probs else 0.5


def add_features(base, train, by_set, args) -> int:
    rows = answer_rows(train, base)
    new = [f for f in CONFIDENCE_FEATURES if f not in base.confidence.weights]
    if not new:
        print("every confidence feature already has a weight")
        return 1
    per_set = set_weights([r[0] for r in rows])
    added = fit_logistic(
        [[r[1][f] for f in new] for r in rows], [int(r[2]) for r in rows], new,
        weights=[per_set[r[0].set_name] for r in rows],
        offset=[base.confidence.score(r[1]) for r in rows],
    )
    confidence = Linear({**base.confidence.weights, **added.weights}, base.confidence.bias)
    model = AnswerModel(base.ranker, confidence, base.fitted_on, base.threshold)
    print(f"added confidence weights: {json.dumps(added.weights)}")
    for name, items in by_set.items():
        tag = " (held out)" if name in args.hold_out else ""
        report(name + tag, answer_rows(items, model), model, base.threshold)
    if args.write:
        MODEL_FILE.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sets", nargs="+", type=Path)
    p.add_argument("--hold-out", nargs="*", default=[], help="set names left out of the fit")
    p.add_argument("--index-root", type=Path, default=ROOT / "artifacts" / "fit-index")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--max-false-refusal", type=float, default=0.05)
    p.add_argument("--write", action="store_true", help="write assistant/answer_model.json")
    p.add_argument(
        "--keep-ranker", action="store_true",
        help="refit only the confidence model and threshold (when only they changed)",
    )
    p.add_argument(
        "--new-features-only", action="store_true",
        help="keep the stored ranker, confidence weights and threshold; fit only the weights of "
        "confidence features the stored model has none for (a feature added without moving "
        "what was calibrated)",
    )
    args = p.parse_args()
    args.index_root.mkdir(parents=True, exist_ok=True)

    by_set = {s.resolve().name: retrieve_all(s, args.index_root, args.k) for s in args.sets}
    train = [it for name, items in by_set.items() if name not in args.hold_out for it in items]
    base = AnswerModel.from_dict(json.loads(MODEL_FILE.read_text()))

    if args.new_features_only:
        return add_features(base, train, by_set, args)
    if args.keep_ranker:
        ranker = base.ranker
    else:
        X, y, groups, weights = candidate_rows(train, base)
        ranker = fit_listwise(X, y, groups, weights, FEATURES)
    model = AnswerModel(ranker, base.confidence)
    rows = answer_rows(train, model)
    Xc = [[r[1][f] for f in CONFIDENCE_FEATURES] for r in rows]
    yc = [int(r[2]) for r in rows]
    per_set = set_weights([r[0] for r in rows])
    confidence = fit_logistic(Xc, yc, CONFIDENCE_FEATURES, weights=[per_set[r[0].set_name] for r in rows])
    fitted_on = tuple(n for n in by_set if n not in args.hold_out)
    model = AnswerModel(ranker, confidence, fitted_on)
    threshold = threshold_for(rows, model, args.max_false_refusal)
    model = AnswerModel(ranker, confidence, fitted_on, round(threshold, 3))

    print(f"ranker: {json.dumps(ranker.weights)} bias {ranker.bias}")
    print(f"confidence: {json.dumps(confidence.weights)} bias {confidence.bias}")
    print(f"threshold for <= {args.max_false_refusal:.0%} false refusals on the fitted sets: {threshold:.3f}")
    for name, items in by_set.items():
        tag = " (held out)" if name in args.hold_out else ""
        report(name + tag, answer_rows(items, model), model, threshold)
    if args.write:
        data = model.to_dict()
        MODEL_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
