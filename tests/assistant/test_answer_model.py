"""The shipped answer model: in step with the features the answerer computes, and a confidence
that is a probability."""

from assistant.answer_model import CONFIDENCE_FEATURES, AnswerModel, load_model
from assistant.features import FEATURES


def test_the_shipped_model_weighs_exactly_the_features_the_answerer_computes():
    model = load_model()
    assert set(model.ranker.weights) == set(FEATURES)
    assert set(model.confidence.weights) == set(CONFIDENCE_FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert model.fitted_on  # written by benchmarks/fit_answer_model.py, not by hand


def test_confidence_is_a_probability_that_grows_with_evidence():
    model = load_model()
    weak = {name: 0.0 for name in CONFIDENCE_FEATURES}
    strong = dict(weak, dense=0.9, lex=1.0, cover=1.0, passage_cover=1.0, rank_score=10.0, margin=3.0)
    p_weak, p_strong = model.confidence.probability(weak), model.confidence.probability(strong)
    assert 0.0 <= p_weak <= p_strong <= 1.0


def test_the_model_round_trips_through_its_json_form():
    model = load_model()
    assert AnswerModel.from_dict(model.to_dict()) == model
