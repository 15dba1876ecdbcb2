"""Echo-state network: the leaky state update against its transcription, the ridge read-out after washout,
learning a sine and the monthly sunspots (against persistence), and reservoirpy on the same settings."""
import numpy as np
import pytest

from neuronet.models.classic import EchoStateNetwork, ridge_solve, spectral_radius
from neuronet.recipes.classic import sunspot_series


def test_state_update_matches_the_transcription_and_batches():
    rng = np.random.default_rng(0)
    u = rng.normal(size=(2, 7, 3))
    esn = EchoStateNetwork(10, spectral_radius=0.8, leak_rate=0.4, input_scaling=0.5, bias_scaling=0.2, density=0.5,
                           washout=0, seed=0)
    states = esn.states(u)
    assert spectral_radius(esn.W) == pytest.approx(0.8)
    for n in range(2):
        x = np.zeros(10)
        for t in range(7):   # x_t = (1 − a) x_{t−1} + a tanh(W_in u_t + W x_{t−1} + b)
            x = 0.6 * x + 0.4 * np.tanh(esn.W_in @ u[n, t] + esn.W @ x + esn.b)
            np.testing.assert_allclose(states[n, t], x, atol=1e-12)
    np.testing.assert_allclose(esn.states(u[1]), states[1], atol=1e-12)   # one series = its row of a batch


def test_readout_is_ridge_on_the_states_after_washout():
    rng = np.random.default_rng(1)
    u, y = rng.normal(size=(60, 2)), rng.normal(size=(60, 1))
    esn = EchoStateNetwork(20, washout=10, ridge=0.1, include_input=True, seed=1).fit(u, y)
    x = esn.states(u)
    w, b = ridge_solve(np.hstack([x, u])[10:], y[10:], 0.1)
    np.testing.assert_allclose(esn.weight, w, atol=1e-10)
    np.testing.assert_allclose(esn.predict(u), np.hstack([x, u]) @ w.T + b, atol=1e-10)


def test_learns_a_sine_one_step_and_in_closed_loop():
    s = np.sin(np.arange(1200) * 0.1)
    esn = EchoStateNetwork(100, spectral_radius=0.9, leak_rate=0.5, ridge=1e-8, washout=100, seed=0)
    esn.fit(s[:999], s[1:1000])
    pred = esn.predict(s[:1199])[1000:]
    assert np.sqrt(np.mean((pred - s[1001:]) ** 2)) < 1e-3
    free = esn.generate(s[:1000], 100)[:, 0]            # runs free after the first 1000 steps
    assert np.sqrt(np.mean((free - s[1000:1100]) ** 2)) < 0.05


def test_forecasts_sunspots_better_than_persistence():
    s, cut, _, std = sunspot_series()
    esn = EchoStateNetwork(200, spectral_radius=0.9, leak_rate=0.3, input_scaling=0.5, ridge=1.0, washout=100,
                           include_input=True, seed=0).fit(s[:cut - 1], s[1:cut])
    rmse = np.sqrt(np.mean((esn.predict(s[:-1])[cut - 1:] - s[cut:]) ** 2)) * std
    persistence = np.sqrt(np.mean((s[cut - 1:-1] - s[cut:]) ** 2)) * std
    assert rmse < persistence - 0.5          # 19.5 sunspots for persistence


@pytest.mark.slow  # importing reservoirpy takes seconds; the figure is in benchmarks/classic.py
def test_same_order_of_error_as_reservoirpy():
    rpy = pytest.importorskip("reservoirpy", reason="needs reservoirpy (the reference ESN): pip install reservoirpy")
    from reservoirpy.nodes import Reservoir, Ridge
    s, cut, _, std = sunspot_series()
    settings = dict(units=200, spectral_radius=0.9, leak_rate=0.3, input_scaling=0.5, ridge=1.0, washout=100)
    ours = EchoStateNetwork(density=0.1, seed=0, **settings).fit(s[:cut - 1], s[1:cut])
    ours_rmse = np.sqrt(np.mean((ours.predict(s[:-1])[cut - 1:] - s[cut:]) ** 2)) * std
    reservoir = Reservoir(200, lr=0.3, sr=0.9, input_scaling=0.5, input_connectivity=1.0, rc_connectivity=0.1, seed=0)
    model = reservoir >> Ridge(ridge=1.0)
    model.fit(s[:cut - 1, None], s[1:cut, None], warmup=100)
    ref = model.run(s[:-1, None])
    ref_rmse = np.sqrt(np.mean((np.asarray(ref)[cut - 1:, 0] - s[cut:]) ** 2)) * std
    assert ours_rmse < 1.25 * ref_rmse and ref_rmse < 1.25 * ours_rmse


def test_errors():
    with pytest.raises(ValueError, match="EchoStateNetwork: leak_rate must lie in \\(0, 1\\]"):
        EchoStateNetwork(leak_rate=1.5)
    with pytest.raises(ValueError, match="nothing after washout=100"):
        EchoStateNetwork(10).fit(np.ones(50), np.ones(50))
    esn = EchoStateNetwork(10, density=0.5, washout=0, seed=0).fit(np.ones((20, 2)), np.ones(20))
    with pytest.raises(ValueError, match="expected 2 input features"):
        esn.predict(np.ones((5, 3)))
