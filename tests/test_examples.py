"""The examples run and learn what they claim."""


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
