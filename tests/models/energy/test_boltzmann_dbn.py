"""Boltzmann machine (Gibbs sampler against the exact distribution; that hidden units learn parity,
which no fully visible machine can, is tested with its example in test_energy_examples.py) and the
deep belief network (pre-training, generation, to_mlp)."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data import load_digits
from neuronet.models.energy import DBN, BoltzmannMachine, all_binary_states


def test_gibbs_sampling_reaches_the_exact_boltzmann_distribution():
    bm = BoltzmannMachine(3, n_hidden=2, init_std=1.0, seed=0)
    bm.bias[:] = np.random.default_rng(1).standard_normal(5) * 0.5
    exact = bm.exact_visible_distribution()
    # the exact p(v) transcribed from E(s) = -½ sᵀWs - bᵀs over all 32 joint states
    s = all_binary_states(5)
    joint = np.exp(0.5 * np.einsum("bi,ij,bj->b", s, bm.weight, s) + s @ bm.bias)
    np.testing.assert_allclose(exact, joint.reshape(8, 4).sum(1) / joint.sum(), rtol=1e-12)
    samples = bm.sample(20000, sweeps=30)[:, :3]
    codes = (samples @ np.array([4, 2, 1])).astype(int)
    empirical = np.bincount(codes, minlength=8) / len(codes)
    assert 0.5 * np.abs(empirical - exact).sum() < 0.02


def test_dbn_pretraining_generation_and_fine_tuning_on_digits():
    x, y = load_digits()
    x_train, x_test, y_train, y_test = nt.data.train_test_split((x > 0.5).astype(np.float32), y, test_size=0.2,
                                                                stratify=y, seed=0)
    dbn = DBN((48, 32), lr=0.05, momentum=0.5, batch_size=20, seed=0).pretrain(x_train, epochs=5)
    assert [r.weight.shape for r in dbn.rbms] == [(48, 64), (32, 48)]
    # the MLP computes the same up-pass as the DBN
    features = dbn.to_mlp().predict(x_test[:50])
    np.testing.assert_allclose(features, dbn.transform(x_test[:50]), rtol=1e-5, atol=1e-6)
    samples = dbn.generate(10, gibbs_steps=50)
    assert samples.shape == (10, 64) and samples.min() >= 0 and samples.max() <= 1
    mlp = dbn.to_mlp(10)
    mlp.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.01)
    mlp.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
    assert mlp.evaluate(x_test, y_test)["accuracy"] > 0.85  # measured 0.897


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="binary input"):
        BoltzmannMachine(2).fit(np.full((3, 2), 0.5), steps=1)
    with pytest.raises(ValueError, match="expected 2 features"):
        BoltzmannMachine(2).fit(np.ones((3, 4)), steps=1)
    with pytest.raises(ValueError, match="too many"):
        BoltzmannMachine(15, n_hidden=10).exact_visible_distribution()
    with pytest.raises(ValueError, match="pretrain the network first"):
        DBN((4,)).to_mlp(2)
    with pytest.raises(ValueError, match="hidden_sizes must name at least one layer"):
        DBN(())
