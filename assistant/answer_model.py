"""The two small linear models of the extractive answerer, fitted on data by
`benchmarks/fit_answer_model.py` and stored in `answer_model.json` beside this file:

- the ranker scores each candidate (assistant.features.FEATURES) by how likely it holds the
  answer;
- the confidence model turns facts about the chosen answer into the probability that it is
  supported, which is what `Answer.confidence` reports and what refusal compares with
  `refusal_threshold`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONFIDENCE_FEATURES = (
    "rank_score", "margin", "lex", "lexctx", "dense", "chunk_dense",
    "type_hit", "type_ctx", "type_miss", "wants_short",
    "cons_hit", "cons_ctx", "cons_missing", "cons_conflict",
    "name_unit", "name_missing", "oov", "names_oov", "restate", "question_mark",
    "passage_cover", "miss_max", "cover", "ctx_dense", "new_info", "no_overlap", "dense_low",
    "measure_hit", "measure_miss", "unit_miss", "unit_miss_max", "verb_hit", "verb_miss",
    "neg_miss",
)
MODEL_FILE = Path(__file__).with_name("answer_model.json")


@dataclass(frozen=True)
class Linear:
    weights: dict[str, float]
    bias: float

    def score(self, features: dict[str, float]) -> float:
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    def probability(self, features: dict[str, float]) -> float:
        z = self.score(features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class AnswerModel:
    ranker: Linear
    confidence: Linear
    fitted_on: tuple[str, ...] = ()
    threshold: float = 0.5  # refuse below this confidence (fitted for <= 5% false refusals)

    def to_dict(self) -> dict:
        return {
            "ranker": {"weights": self.ranker.weights, "bias": self.ranker.bias},
            "confidence": {"weights": self.confidence.weights, "bias": self.confidence.bias},
            "fitted_on": list(self.fitted_on),
            "refusal_threshold": self.threshold,
        }

    @classmethod
    def from_dict(cls, data: dict) -> AnswerModel:
        return cls(
            Linear(dict(data["ranker"]["weights"]), float(data["ranker"]["bias"])),
            Linear(dict(data["confidence"]["weights"]), float(data["confidence"]["bias"])),
            tuple(data.get("fitted_on", ())),
            float(data.get("refusal_threshold", 0.5)),
        )


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> AnswerModel:
    return AnswerModel.from_dict(json.loads(Path(path or MODEL_FILE).read_text(encoding="utf-8")))
