"""The examples run and learn what they claim."""
import importlib.util

from tests.helpers import load_example as load


def test_xor_with_the_core_alone():
    xor_core = load("xor_core")
    loss, pred = xor_core.train_xor()
    assert pred.tolist() == [0, 1, 1, 0] and loss < 0.1
    solved = sum(xor_core.train_xor(seed=s)[1].tolist() == [0, 1, 1, 0] for s in range(20))
    assert solved >= 19  # as the example's docstring states


def test_digits_two_ways():
    keras_acc, loop_acc = load("digits_keras_and_torch_style").main(epochs=15)
    assert keras_acc > 0.95 and loop_acc > 0.95


def test_word2vec_example_on_a_small_corpus(tmp_path):
    """The Shakespeare example's code path on a small text (the full run is the recipe's)."""
    text = ("the king and the queen rode to the castle . the prince and the princess rode to the castle . "
            "the man and the woman walked to the market . the boy and the girl walked to the market . ") * 40
    from neuronet.models.word2vec import text_to_sentences
    model, result = load("word2vec_shakespeare").main(sentences=text_to_sentences(text), epochs=2, min_count=2,
                                                      plot=str(tmp_path / "w.png"))
    assert "king" in model and model.vectors.shape == (len(model.words), 100)
    assert result["tried"] >= 1
    # the picture needs matplotlib (an optional extra): without it the example says so and goes on
    assert (tmp_path / "w.png").exists() == (importlib.util.find_spec("matplotlib") is not None)


def test_mlp_step_breakdown_runs_briefly():
    """The example's code path with one tiny block per kind (its figures are for a real run)."""
    result, phases = load("mlp_step_breakdown").main(["--repeats", "1", "--steps", "1", "--batch", "8"])
    assert "neuronet" in result and "GEMMs alone (NumPy)" in result
    assert all(us > 0 for us in result.values())
    assert set(phases) == {"forward", "loss", "backward", "update"}
