"""Echo-state network (Jaeger 2001; Jaeger & Haas 2004): a fixed random recurrent reservoir and a
linear read-out trained in closed form.

With input u_t, leak rate a, reservoir W (scaled to spectral radius ρ) and input weights W_in:

    x_t = (1 − a) x_{t−1} + a tanh(W_in u_t + W x_{t−1} + b)
    y_t = W_out [x_t; u_t] + b_out        (u_t in the read-out only with ``include_input``)

Only W_out is trained: ridge regression on the states after a washout (the first steps, which still
remember the arbitrary zero initial state).  ρ < 1 (with tanh) gives the echo-state property in
practice: the state forgets its start and becomes a function of the input history.  The state update
loops over time steps and is vectorised over a batch of series.
"""
from __future__ import annotations

from ...backend import np
from ...checks import positive_int
from ... import backend
from ._common import plain, positive_float, ridge_solve, rng_for, unit_interval

__all__ = ["EchoStateNetwork", "spectral_radius"]


def spectral_radius(w) -> float:
    """The largest |eigenvalue| of a square matrix.

    Example:
        >>> nt.models.classic.spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]]))  # eigenvalues +-1
        1.0
    """
    return float(np.max(np.abs(np.linalg.eigvals(w))))


class EchoStateNetwork:
    """An echo-state network with a ridge read-out.

    Args:
        units: reservoir size.
        spectral_radius: ρ, the largest |eigenvalue| W is rescaled to.
        leak_rate: a ∈ (0, 1]: 1 is a plain tanh reservoir, small a a slow one.
        input_scaling: W_in ~ uniform(−s, s).
        bias_scaling: b ~ uniform(−s, s) (0: no bias).
        density: fraction of non-zero entries of W (sparse reservoirs are the classic choice).
        ridge: α of the ridge read-out.
        washout: time steps dropped from the start of each series before fitting.
        include_input: feed u_t to the read-out next to x_t.
        seed: seed of W_in, W and b.

    Inputs are (T, features) for one series or (N, T, features) for several (same length).
    After ``fit``: ``W_in (units, in)``, ``W (units, units)``, ``weight (out, units[+in])``, ``bias (out,)``.

    Example:
        >>> t = np.arange(600) * 0.1
        >>> esn = nt.models.classic.EchoStateNetwork(units=100, seed=0).fit(np.sin(t[:-1])[None, :, None], np.sin(t[1:])[None, :, None])
        >>> pred = esn.predict(np.sin(t[:-1])[None, :, None])
        >>> float(np.abs(pred[0, 100:, 0] - np.sin(t[101:])).max()) < 0.05  # next value of the sine, after warm-up
        True
    """

    def __init__(self, units: int = 300, spectral_radius: float = 0.9, leak_rate: float = 0.3,
                 input_scaling: float = 1.0, bias_scaling: float = 0.0, density: float = 0.1, ridge: float = 1e-6,
                 washout: int = 100, include_input: bool = False, seed=None):
        self.units = positive_int("EchoStateNetwork", "units", units)
        self.rho = positive_float("EchoStateNetwork", "spectral_radius", spectral_radius)
        self.leak_rate = unit_interval("EchoStateNetwork", "leak_rate", leak_rate)
        self.input_scaling = positive_float("EchoStateNetwork", "input_scaling", input_scaling)
        if not bias_scaling >= 0:
            raise ValueError(f"EchoStateNetwork: bias_scaling must be >= 0, got {bias_scaling!r}")
        self.bias_scaling = float(bias_scaling)
        self.density = unit_interval("EchoStateNetwork", "density", density)
        if not ridge >= 0:
            raise ValueError(f"EchoStateNetwork: ridge must be >= 0, got {ridge!r}")
        self.ridge = float(ridge)
        if not isinstance(washout, int) or washout < 0:
            raise ValueError(f"EchoStateNetwork: washout must be an integer >= 0, got {washout!r}")
        self.washout, self.include_input, self.seed = washout, bool(include_input), seed
        self.W = None

    def _series(self, owner, u):
        u = np.asarray(backend.to_numpy(plain(u)), dtype=np.float64)
        if u.ndim == 1:
            u = u[:, None]
        single = u.ndim == 2
        u = u[None] if single else u
        if u.ndim != 3:
            raise ValueError(f"EchoStateNetwork.{owner}: expected a series (T, features) or a batch (N, T, features), "
                             f"received shape {u.shape}")
        if self.W is not None and u.shape[2] != self.W_in.shape[1]:
            raise ValueError(f"EchoStateNetwork.{owner}: expected {self.W_in.shape[1]} input features (as in fit), "
                             f"received shape {u.shape}")
        return u, single

    def _build(self, n_inputs: int):
        rng = rng_for(self.seed)
        self.W_in = rng.uniform(-self.input_scaling, self.input_scaling, (self.units, n_inputs))
        w = rng.normal(0, 1, (self.units, self.units)) * (rng.random((self.units, self.units)) < self.density)
        radius = spectral_radius(w)
        if radius == 0:
            raise ValueError("EchoStateNetwork: the random reservoir is nilpotent (spectral radius 0); raise density")
        self.W = w * (self.rho / radius)
        self.b = rng.uniform(-self.bias_scaling, self.bias_scaling, self.units) if self.bias_scaling else np.zeros(self.units)

    def states(self, u, initial_state=None):
        """Reservoir states (N, T, units) (or (T, units) for one series) driven by ``u`` from ``initial_state``
        (default zeros); also kept as ``last_state`` (N, units) for continuing a series."""
        u, single = self._series("states", u)
        if self.W is None:
            self._build(u.shape[2])
        n, t_len, _ = u.shape
        x = np.zeros((n, self.units)) if initial_state is None else np.array(initial_state, dtype=np.float64).reshape(n, self.units)
        drive = u @ self.W_in.T + self.b                       # W_in u_t + b for all steps at once, (N, T, units)
        out = np.empty((n, t_len, self.units))
        a, wt = self.leak_rate, self.W.T
        for t in range(t_len):                                 # the recurrence: one loop over time steps
            x = (1 - a) * x + a * np.tanh(drive[:, t] + x @ wt)
            out[:, t] = x
        self.last_state = x
        return out[0] if single else out

    def _features(self, x, u):
        return np.concatenate([x, u], axis=-1) if self.include_input else x

    def fit(self, u, y):
        """Drive the reservoir with ``u`` and fit the read-out to targets ``y`` (same leading shape as ``u``)."""
        u3, single = self._series("fit", u)
        y3 = np.asarray(y, dtype=np.float64)
        y3 = y3[:, None] if y3.ndim == 1 else y3
        y3 = y3[None] if single else y3
        if y3.shape[:2] != u3.shape[:2]:
            raise ValueError(f"EchoStateNetwork.fit: targets of shape {np.shape(y)} do not match inputs of shape {np.shape(u)}")
        if u3.shape[1] <= self.washout:
            raise ValueError(f"EchoStateNetwork.fit: series of {u3.shape[1]} steps leave nothing after washout={self.washout}")
        self.W = None                                          # a fresh reservoir for every fit
        x = self.states(u3)
        feats = self._features(x, u3)[:, self.washout:].reshape(-1, self._n_features(u3.shape[2]))
        self.weight, self.bias = ridge_solve(feats, y3[:, self.washout:].reshape(-1, y3.shape[2]), self.ridge)
        self._single_output = np.asarray(y).ndim == (1 if single else 2)
        return self

    def _n_features(self, n_inputs):
        return self.units + (n_inputs if self.include_input else 0)

    def predict(self, u, initial_state=None):
        """Read-out outputs for the inputs ``u`` (the reservoir starts from ``initial_state``, default zeros)."""
        if not hasattr(self, "weight"):
            raise ValueError("EchoStateNetwork.predict: call fit first")
        u3, single = self._series("predict", u)
        y = self._features(self.states(u3, initial_state), u3) @ self.weight.T + self.bias
        y = y[0] if single else y
        return y[..., 0] if self._single_output else y

    def generate(self, warmup, steps: int):
        """Closed loop (outputs fed back as the next input; needs outputs = inputs): drive the reservoir with
        the series ``warmup`` (T, features), then run free for ``steps`` steps.  Returns (steps, features)."""
        if not hasattr(self, "weight"):
            raise ValueError("EchoStateNetwork.generate: call fit first")
        u3, _ = self._series("generate", warmup)
        if self.weight.shape[0] != u3.shape[2]:
            raise ValueError(f"EchoStateNetwork.generate: needs as many outputs ({self.weight.shape[0]}) as inputs ({u3.shape[2]})")
        x = self.states(u3)[:, -1]
        u = self._features(x, u3[:, -1]) @ self.weight.T + self.bias
        out = np.empty((steps, u3.shape[2]))
        a = self.leak_rate
        for t in range(positive_int("EchoStateNetwork.generate", "steps", steps)):
            out[t] = u[0]
            x = (1 - a) * x + a * np.tanh(u @ self.W_in.T + self.b + x @ self.W.T)
            u = self._features(x, u) @ self.weight.T + self.bias
        return out
