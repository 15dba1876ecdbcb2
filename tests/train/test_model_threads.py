"""Models with their own generators (``fit(seed=)``) train, evaluate and predict in several
threads at once with exactly the results they give one after another."""
import threading

import numpy as np
import pytest

import neuronet as nt


def _data(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((96, 6)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64)


def _run(seed):
    """Build (lazily, inside fit), train with dropout and shuffling, evaluate and predict."""
    x, y = _data(seed)
    model = nt.Sequential([nt.nn.Dense(16, activation="relu"), nt.nn.Dropout(0.3), nt.nn.Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0, seed=seed, validation_split=0.25)
    return (history.history["loss"], model.evaluate(x, y)["loss"], model.predict(x),
            [p.data.copy() for p in model.parameters()])


def _same(a, b):
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
    for p, q in zip(a[3], b[3]):
        np.testing.assert_array_equal(p, q)


def test_threads_give_the_sequential_results():
    seeds = [11, 12, 13, 14]
    alone = {s: _run(s) for s in seeds}
    together, errors = {}, []

    def work(s):
        try:
            for _ in range(2):  # twice each, to interleave more
                together[s] = _run(s)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=work, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for s in seeds:
        _same(together[s], alone[s])
    assert alone[11][0] != alone[12][0]  # the seeds really differ
    assert nt.is_grad_enabled()


def test_fit_seed_is_reproducible_and_independent_of_the_shared_generator():
    first = _run(5)
    nt.manual_seed(999)
    np.random.default_rng(0)
    nt.backend.get_rng().random(10)  # the shared generator moves on; the model's does not care
    _same(_run(5), first)


def test_the_models_generator_is_saved_and_restored(tmp_path):
    x, y = _data(3)
    model = nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dropout(0.5), nt.nn.Dense(2)])
    model.compile(optimizer="sgd", loss="cross_entropy")
    model.fit(x, y, epochs=1, verbose=0, seed=3)
    model.save(tmp_path / "m.safetensors")
    again = nt.load_model(tmp_path / "m.safetensors")
    assert again.random_generator is not None
    assert again.random_generator.bit_generator.state == model.random_generator.bit_generator.state
    model.fit(x, y, epochs=2, initial_epoch=1, verbose=0)
    again.fit(x, y, epochs=2, initial_epoch=1, verbose=0)
    for p, q in zip(model.parameters(), again.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_fit_seed_must_be_a_non_negative_integer(bad):
    model = nt.Sequential([nt.nn.Dense(2)])
    model.compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(ValueError, match="fit: seed must be a non-negative integer"):
        model.fit(np.ones((4, 3), np.float32), np.zeros(4, np.int64), seed=bad, verbose=0)


def test_a_file_cannot_name_an_arbitrary_bit_generator():
    with pytest.raises(ValueError, match="unknown bit generator"):
        nt.backend.generator_from_state({"bit_generator": "os.system", "state": {}})
