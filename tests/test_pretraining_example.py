"""examples/pretraining_objectives.py runs all three objectives on a slice of Shakespeare."""
from tests.data.conftest import ensure_dataset  # noqa: F401  (fixture: fetch the data when missing)
from tests.helpers import load_example


def test_three_objectives_learn_on_a_slice(ensure_dataset):
    ensure_dataset("shakespeare")
    results = load_example("pretraining_objectives").main(lines=800, vocab_size=400, max_len=16, steps=12)
    # measured at these settings (seed 0): causal 6.02 -> 5.50, span corruption 6.04 -> 3.30 nats/token
    assert results["causal_lm_loss"][1] < results["causal_lm_loss"][0] - 0.2
    assert results["span_corruption_loss"][1] < results["span_corruption_loss"][0] - 1.0
    assert results["masked_lm_accuracy"][1] > results["masked_lm_accuracy"][0]
    assert isinstance(results["sample"], str) and results["sample"].startswith("ROMEO")
