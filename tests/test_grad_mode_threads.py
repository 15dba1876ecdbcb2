"""Grad mode is per thread: inference in one thread never switches recording off in another."""
import threading

import numpy as np

import neuronet as nt


def _in_thread(fn):
    result, error = [], []

    def run():
        try:
            result.append(fn())
        except BaseException as e:  # noqa: BLE001 - reported by the test
            error.append(e)
    t = threading.Thread(target=run)
    t.start()
    t.join()
    if error:
        raise error[0]
    return result[0]


def test_a_new_thread_records_even_when_the_caller_does_not():
    with nt.no_grad():
        assert not nt.is_grad_enabled()
        assert _in_thread(nt.is_grad_enabled)
    assert nt.is_grad_enabled()


def test_no_grad_in_another_thread_leaves_this_one_recording():
    inside, go_on = threading.Event(), threading.Event()

    def hold_no_grad():
        with nt.no_grad():
            inside.set()
            go_on.wait(10)
    t = threading.Thread(target=hold_no_grad)
    t.start()
    inside.wait(10)
    try:
        w = nt.tensor(np.ones(3, np.float32), requires_grad=True)
        loss = (w * 2).sum()
        assert nt.is_grad_enabled() and loss.requires_grad
        loss.backward()
        np.testing.assert_array_equal(w.grad, [2, 2, 2])
    finally:
        go_on.set()
        t.join()


def test_threads_predicting_while_one_trains_never_lose_recording():
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 4)).astype(np.float32), rng.integers(0, 2, 64)
    model = nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dense(2)])
    model.compile(optimizer="sgd", loss="cross_entropy")
    model(nt.tensor(x))                 # built: its parameters exist before training
    other = nt.Sequential([nt.nn.Dense(3)])
    other(nt.tensor(x))
    stop = threading.Event()

    def predict_forever():
        while not stop.is_set():
            other.predict(x, verbose=0)
    predictors = [threading.Thread(target=predict_forever) for _ in range(2)]
    for t in predictors:
        t.start()
    try:
        before = [p.data.copy() for p in model.parameters()]
        for _ in range(50):
            model.train_on_batch(x, y)
    finally:
        stop.set()
        for t in predictors:
            t.join()
    assert nt.is_grad_enabled()
    assert len(before) == 4
    assert all(not np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))  # every layer trained


def test_set_grad_enabled_as_call_block_and_decorator():
    nt.set_grad_enabled(False)          # a call takes effect at once, as in PyTorch
    try:
        assert not nt.is_grad_enabled()
    finally:
        nt.set_grad_enabled(True)
    with nt.set_grad_enabled(False):
        assert not nt.is_grad_enabled()
    assert nt.is_grad_enabled()

    @nt.set_grad_enabled(False)
    def inside():
        return nt.is_grad_enabled()
    assert nt.is_grad_enabled()          # decorating does not switch the caller's mode
    assert inside() is False and nt.is_grad_enabled()
