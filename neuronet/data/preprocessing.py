"""Preprocessing fitted on training data only: scalers, quantile normalisation, encoders, imputation.

Every transformer learns its statistics in ``fit`` (training data), applies them in ``transform``
(any data: validation, test, a user's raw input at ``predict`` time) and undoes them in
``inverse_transform``.  ``get_config()`` is a JSON-ready dict holding the settings *and* the fitted
statistics, so the transform can be saved next to a model and rebuilt with
``preprocessor_from_config`` (or ``save_preprocessor``/``load_preprocessor``).  Results match
scikit-learn's classes of the same names (tests/data/test_preprocessing.py).

Example:
    >>> import numpy as np, neuronet as nt
    >>> scaler = nt.data.StandardScaler().fit(np.array([[0.0], [2.0]]))
    >>> scaler.transform(np.array([[4.0]])).tolist()
    [[3.0]]
    >>> nt.data.preprocessor_from_config(scaler.get_config()).mean_.tolist()
    [1.0]
"""
from __future__ import annotations

import json
import math

import numpy as np

from ..functional import special as _special

__all__ = ["StandardScaler", "MinMaxScaler", "RobustScaler", "QuantileTransformer", "OneHotEncoder", "LabelEncoder",
           "SimpleImputer", "preprocessor_from_config", "save_preprocessor", "load_preprocessor"]


def _table(where, x, n_features=None, allow_nan=True):
    """``x`` as a 2-D float array (N, features), checked against the fitted width."""
    x = np.asarray(x)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"{where}: expected a table (samples, features), got shape {x.shape}")
    try:
        x = x.astype(np.float64) if x.dtype.kind not in "f" else x
    except (TypeError, ValueError) as error:
        raise TypeError(f"{where}: expected numbers, got dtype {x.dtype}") from error
    if n_features is not None and x.shape[1] != n_features:
        raise ValueError(f"{where}: fitted on {n_features} features, got {x.shape[1]} (shape {x.shape})")
    if not allow_nan and np.isnan(x).any():
        raise ValueError(f"{where}: input contains NaN; impute missing values first (SimpleImputer)")
    return x


def _safe_scale(scale):
    """A zero scale (a constant feature) becomes 1, so the feature is left unscaled (as scikit-learn)."""
    scale = np.asarray(scale, dtype=np.float64).copy()
    scale[scale < 10 * np.finfo(np.float64).eps] = 1.0
    return scale


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return [_jsonable(a) for a in v.tolist()] if v.dtype == object else v.tolist()
    if isinstance(v, (list, tuple)):
        return [_jsonable(a) for a in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


class _Preprocessor:
    """fit / transform / inverse_transform / get_config; subclasses name their settings and fitted state."""

    settings: tuple = ()
    state: tuple = ()

    def _check_fitted(self, where):
        if not getattr(self, "fitted_", False):
            raise RuntimeError(f"{type(self).__name__}.{where}: call fit on the training data first")

    def fit_transform(self, x, y=None):
        """``fit(x)`` then ``transform(x)``."""
        return self.fit(x).transform(x)

    def get_config(self) -> dict:
        """Settings and fitted statistics as plain JSON types (``json.dumps`` works on the result)."""
        config = {"class": type(self).__name__, "settings": {k: _jsonable(getattr(self, k)) for k in self.settings}}
        if getattr(self, "fitted_", False):
            config["state"] = {k: _jsonable(getattr(self, k)) for k in self.state}
        return config

    @classmethod
    def from_config(cls, config: dict):
        """The transformer ``get_config`` described, fitted statistics included."""
        if config.get("class") != cls.__name__:
            raise ValueError(f"{cls.__name__}.from_config: the config describes {config.get('class')!r}")
        obj = cls(**config.get("settings", {}))
        if "state" in config:
            obj._set_state(config["state"])
            obj.fitted_ = True
        return obj

    def _set_state(self, state):
        for k in self.state:
            setattr(self, k, np.asarray(state[k], dtype=np.float64))

    def __repr__(self):
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.settings)
        return f"{type(self).__name__}({args})"


class StandardScaler(_Preprocessor):
    """(x − mean) / std per feature, with the population std (ddof 0) of the training data; NaNs are ignored.

    Example:
        >>> scaler = nt.data.StandardScaler().fit(np.array([[1.0, 10.0], [3.0, 30.0]]))
        >>> scaler.transform(np.array([[2.0, 50.0]])).tolist(), scaler.mean_.tolist()
        ([[0.0, 3.0]], [2.0, 20.0])
    """

    settings = ("with_mean", "with_std")
    state = ("mean_", "scale_", "n_features_in_")

    def __init__(self, with_mean: bool = True, with_std: bool = True):
        self.with_mean, self.with_std = bool(with_mean), bool(with_std)

    def fit(self, x, y=None):
        x = _table("StandardScaler.fit", x)
        self.n_features_in_ = x.shape[1]
        self.mean_ = np.nanmean(x, axis=0) if self.with_mean else np.zeros(x.shape[1])
        self.scale_ = _safe_scale(np.nanstd(x, axis=0)) if self.with_std else np.ones(x.shape[1])
        self.fitted_ = True
        return self

    def transform(self, x):
        self._check_fitted("transform")
        x = _table("StandardScaler.transform", x, self.n_features_in_)
        return (x - self.mean_) / self.scale_

    def inverse_transform(self, x):
        self._check_fitted("inverse_transform")
        return _table("StandardScaler.inverse_transform", x, self.n_features_in_) * self.scale_ + self.mean_

    def _set_state(self, state):
        super()._set_state(state)
        self.n_features_in_ = int(self.n_features_in_)


class MinMaxScaler(_Preprocessor):
    """Scale each feature linearly so that the training minimum and maximum map to ``feature_range``.

    Example:
        >>> scaler = nt.data.MinMaxScaler().fit(np.array([[0.0], [10.0]]))
        >>> scaler.transform(np.array([[5.0], [20.0]])).tolist(), scaler.inverse_transform(np.array([[0.5]])).tolist()
        ([[0.5], [2.0]], [[5.0]])
    """

    settings = ("feature_range", "clip")
    state = ("data_min_", "data_max_", "scale_", "min_", "n_features_in_")

    def __init__(self, feature_range=(0.0, 1.0), clip: bool = False):
        low, high = (float(v) for v in feature_range)
        if not low < high:
            raise ValueError(f"MinMaxScaler: feature_range must be (low, high) with low < high, got {feature_range!r}")
        self.feature_range, self.clip = (low, high), bool(clip)

    def fit(self, x, y=None):
        x = _table("MinMaxScaler.fit", x)
        self.n_features_in_ = x.shape[1]
        self.data_min_, self.data_max_ = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        low, high = self.feature_range
        self.scale_ = (high - low) / _safe_scale(self.data_max_ - self.data_min_)
        self.min_ = low - self.data_min_ * self.scale_
        self.fitted_ = True
        return self

    def transform(self, x):
        self._check_fitted("transform")
        out = _table("MinMaxScaler.transform", x, self.n_features_in_) * self.scale_ + self.min_
        return np.clip(out, *self.feature_range) if self.clip else out

    def inverse_transform(self, x):
        self._check_fitted("inverse_transform")
        return (_table("MinMaxScaler.inverse_transform", x, self.n_features_in_) - self.min_) / self.scale_

    def _set_state(self, state):
        super()._set_state(state)
        self.n_features_in_ = int(self.n_features_in_)


class RobustScaler(_Preprocessor):
    """(x − median) / IQR per feature: outliers barely move the statistics (IQR from ``quantile_range`` in %).

    Example:
        >>> x = np.array([[1.0], [2.0], [3.0], [4.0], [1000.0]])  # one outlier
        >>> nt.data.RobustScaler().fit(x).transform(np.array([[3.0], [5.0]])).tolist()  # (x - median) / IQR
        [[0.0], [1.0]]
    """

    settings = ("with_centering", "with_scaling", "quantile_range")
    state = ("center_", "scale_", "n_features_in_")

    def __init__(self, with_centering: bool = True, with_scaling: bool = True, quantile_range=(25.0, 75.0)):
        q_min, q_max = (float(v) for v in quantile_range)
        if not 0 <= q_min <= q_max <= 100:
            raise ValueError(f"RobustScaler: quantile_range must satisfy 0 <= low <= high <= 100, got {quantile_range!r}")
        self.with_centering, self.with_scaling, self.quantile_range = bool(with_centering), bool(with_scaling), (q_min, q_max)

    def fit(self, x, y=None):
        x = _table("RobustScaler.fit", x)
        self.n_features_in_ = x.shape[1]
        self.center_ = np.nanmedian(x, axis=0) if self.with_centering else np.zeros(x.shape[1])
        if self.with_scaling:
            q = np.nanpercentile(x, self.quantile_range, axis=0)
            self.scale_ = _safe_scale(q[1] - q[0])
        else:
            self.scale_ = np.ones(x.shape[1])
        self.fitted_ = True
        return self

    def transform(self, x):
        self._check_fitted("transform")
        return (_table("RobustScaler.transform", x, self.n_features_in_) - self.center_) / self.scale_

    def inverse_transform(self, x):
        self._check_fitted("inverse_transform")
        return _table("RobustScaler.inverse_transform", x, self.n_features_in_) * self.scale_ + self.center_

    def _set_state(self, state):
        super()._set_state(state)
        self.n_features_in_ = int(self.n_features_in_)


# --- the normal distribution without SciPy (functional/special.py) ------------------------------------
def normal_cdf(z):
    """Φ(z), the standard normal CDF, in float64."""
    return _special.normal_cdf(z, np)


def normal_ppf(p):
    """Φ⁻¹(p), the standard normal quantile, in float64 (see ``functional/special.py``)."""
    return _special.normal_ppf(p, np)


class QuantileTransformer(_Preprocessor):
    """Map each feature through its training CDF to uniform [0, 1] or to a standard normal (rank-based,
    robust to outliers), with ``n_quantiles`` landmarks interpolated linearly (scikit-learn's algorithm).

    Example:
        >>> qt = nt.data.QuantileTransformer(n_quantiles=5).fit(np.array([[1.0], [2.0], [3.0], [4.0], [100.0]]))
        >>> qt.transform(np.array([[1.0], [3.0], [100.0]])).ravel().tolist()
        [0.0, 0.5, 1.0]
    """

    settings = ("n_quantiles", "output_distribution")
    state = ("quantiles_", "references_", "n_features_in_")
    _BOUND = 1e-7  # the normal output is clipped to Φ⁻¹(1e-7)…Φ⁻¹(1 − 1e-7), as scikit-learn

    def __init__(self, n_quantiles: int = 1000, output_distribution: str = "uniform"):
        if not (isinstance(n_quantiles, int) and n_quantiles >= 2):
            raise ValueError(f"QuantileTransformer: n_quantiles must be an integer >= 2, got {n_quantiles!r}")
        if output_distribution not in ("uniform", "normal"):
            raise ValueError(f"QuantileTransformer: output_distribution must be 'uniform' or 'normal', "
                             f"got {output_distribution!r}")
        self.n_quantiles, self.output_distribution = n_quantiles, output_distribution

    def fit(self, x, y=None):
        x = _table("QuantileTransformer.fit", x)
        self.n_features_in_ = x.shape[1]
        n = min(self.n_quantiles, x.shape[0])
        self.references_ = np.linspace(0, 1, n)
        self.quantiles_ = np.maximum.accumulate(np.nanpercentile(x, self.references_ * 100, axis=0), axis=0)
        self.fitted_ = True
        return self

    def transform(self, x):
        self._check_fitted("transform")
        x = _table("QuantileTransformer.transform", x, self.n_features_in_)
        out = np.empty_like(x)
        refs = self.references_
        for j in range(x.shape[1]):                                  # one landmark table per feature
            qs, col = self.quantiles_[:, j], x[:, j]
            # average of the forward and the mirrored interpolation: ties in the quantiles share a rank
            u = 0.5 * (np.interp(col, qs, refs) - np.interp(-col, -qs[::-1], -refs[::-1]))
            u[col >= qs[-1]] = 1.0
            u[col <= qs[0]] = 0.0
            out[:, j] = u
        if self.output_distribution == "normal":
            low, high = normal_ppf(self._BOUND - np.spacing(1)), normal_ppf(1 - (self._BOUND - np.spacing(1)))
            out = np.clip(normal_ppf(out), low, high)
        out[np.isnan(x)] = np.nan
        return out

    def inverse_transform(self, x):
        self._check_fitted("inverse_transform")
        u = _table("QuantileTransformer.inverse_transform", x, self.n_features_in_)
        if self.output_distribution == "normal":
            u = normal_cdf(u)
        out = np.empty_like(u)
        for j in range(u.shape[1]):
            out[:, j] = np.interp(u[:, j], self.references_, self.quantiles_[:, j])
            out[u[:, j] < self._BOUND, j] = self.quantiles_[0, j]           # within 1e-7 of a bound: the bound
            out[u[:, j] > 1 - self._BOUND, j] = self.quantiles_[-1, j]
        return out

    def _set_state(self, state):
        super()._set_state(state)
        self.n_features_in_ = int(self.n_features_in_)


# --- categories --------------------------------------------------------------------------------------
def _categories_of(col):
    values = np.unique(col)
    return values


class OneHotEncoder(_Preprocessor):
    """One 0/1 column per category of each feature (categories sorted, learned from the training data).

    ``handle_unknown="ignore"`` turns a category never seen in training into all zeros instead of an error.

    Example:
        >>> enc = nt.data.OneHotEncoder().fit(np.array([["red"], ["green"], ["red"]]))
        >>> enc.transform(np.array([["red"], ["green"]])).tolist()  # categories sorted: green, red
        [[0.0, 1.0], [1.0, 0.0]]
    """

    settings = ("handle_unknown",)
    state = ("categories_",)

    def __init__(self, handle_unknown: str = "error"):
        if handle_unknown not in ("error", "ignore"):
            raise ValueError(f"OneHotEncoder: handle_unknown must be 'error' or 'ignore', got {handle_unknown!r}")
        self.handle_unknown = handle_unknown

    @staticmethod
    def _columns(where, x):
        x = np.asarray(x)
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2:
            raise ValueError(f"{where}: expected a table (samples, features), got shape {x.shape}")
        return x

    def fit(self, x, y=None):
        x = self._columns("OneHotEncoder.fit", x)
        self.categories_ = [_categories_of(x[:, j]) for j in range(x.shape[1])]
        self.fitted_ = True
        return self

    def transform(self, x):
        self._check_fitted("transform")
        x = self._columns("OneHotEncoder.transform", x)
        if x.shape[1] != len(self.categories_):
            raise ValueError(f"OneHotEncoder.transform: fitted on {len(self.categories_)} features, got {x.shape[1]}")
        blocks = []
        for j, cats in enumerate(self.categories_):
            col = x[:, j].astype(cats.dtype) if cats.dtype.kind in "fiu" else x[:, j]
            pos = np.clip(np.searchsorted(cats, col), 0, len(cats) - 1)
            known = cats[pos] == col
            if not known.all() and self.handle_unknown == "error":
                raise ValueError(f"OneHotEncoder.transform: feature {j} has categories not seen in fit: "
                                 f"{np.unique(col[~known]).tolist()[:5]}")
            blocks.append((pos[:, None] == np.arange(len(cats))) & known[:, None])
        return np.concatenate(blocks, axis=1).astype(np.float64)

    def inverse_transform(self, x):
        self._check_fitted("inverse_transform")
        x = np.asarray(x)
        widths = [len(c) for c in self.categories_]
        if x.ndim != 2 or x.shape[1] != sum(widths):
            raise ValueError(f"OneHotEncoder.inverse_transform: expected (samples, {sum(widths)}), got {x.shape}")
        cols, start = [], 0
        for cats, w in zip(self.categories_, widths):
            cols.append(cats[x[:, start:start + w].argmax(axis=1)])
            start += w
        return np.stack(cols, axis=1) if len({c.dtype for c in cols}) == 1 else np.stack(cols, axis=1).astype(object)

    def _set_state(self, state):
        self.categories_ = [np.asarray(c) for c in state["categories_"]]


class LabelEncoder(_Preprocessor):
    """Class labels (strings or numbers) → integers 0..K−1 in sorted order, and back.

    Example:
        >>> enc = nt.data.LabelEncoder().fit(["cat", "dog", "cat", "bird"])
        >>> enc.transform(["dog", "bird"]).tolist(), enc.inverse_transform([0]).tolist()
        ([2, 0], ['bird'])
    """

    state = ("classes_",)

    def fit(self, y, x=None):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"LabelEncoder.fit: expected a 1-D array of labels, got shape {y.shape}")
        self.classes_ = np.unique(y)
        self.fitted_ = True
        return self

    def transform(self, y):
        self._check_fitted("transform")
        y = np.asarray(y)
        pos = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
        unknown = self.classes_[pos] != y
        if unknown.any():
            raise ValueError(f"LabelEncoder.transform: labels not seen in fit: {np.unique(y[unknown]).tolist()[:5]}")
        return pos.astype(np.int64)

    def inverse_transform(self, y):
        self._check_fitted("inverse_transform")
        y = np.asarray(y)
        if y.size and (y.min() < 0 or y.max() >= len(self.classes_)):
            raise ValueError(f"LabelEncoder.inverse_transform: codes must be in 0..{len(self.classes_) - 1}")
        return self.classes_[y]

    def _set_state(self, state):
        self.classes_ = np.asarray(state["classes_"])


class SimpleImputer(_Preprocessor):
    """Replace missing values (NaN) per feature by the training mean, median, most frequent value or a constant.

    Example:
        >>> imp = nt.data.SimpleImputer(strategy="mean").fit(np.array([[1.0], [3.0], [np.nan]]))
        >>> imp.transform(np.array([[np.nan], [5.0]])).tolist()
        [[2.0], [5.0]]
    """

    settings = ("strategy", "fill_value")
    state = ("statistics_",)

    def __init__(self, strategy: str = "mean", fill_value=None):
        if strategy not in ("mean", "median", "most_frequent", "constant"):
            raise ValueError(f"SimpleImputer: strategy must be 'mean', 'median', 'most_frequent' or 'constant', "
                             f"got {strategy!r}")
        self.strategy, self.fill_value = strategy, fill_value

    def fit(self, x, y=None):
        x = _table("SimpleImputer.fit", x)
        if self.strategy == "mean":
            stats = np.nanmean(x, axis=0) if x.shape[0] else np.full(x.shape[1], np.nan)
        elif self.strategy == "median":
            stats = np.nanmedian(x, axis=0)
        elif self.strategy == "constant":
            stats = np.full(x.shape[1], 0.0 if self.fill_value is None else float(self.fill_value))
        else:
            stats = np.empty(x.shape[1])
            for j in range(x.shape[1]):                              # per feature: the commonest value, smallest on ties
                col = x[:, j][~np.isnan(x[:, j])]
                values, counts = np.unique(col, return_counts=True)
                stats[j] = values[counts.argmax()] if len(values) else np.nan
        if np.isnan(stats).any():
            raise ValueError(f"SimpleImputer.fit: features {np.flatnonzero(np.isnan(stats)).tolist()} have no "
                             f"observed value in the training data")
        self.statistics_ = stats
        self.fitted_ = True
        return self

    def transform(self, x):
        self._check_fitted("transform")
        x = _table("SimpleImputer.transform", x, len(self.statistics_)).copy()
        missing = np.isnan(x)
        x[missing] = np.broadcast_to(self.statistics_, x.shape)[missing]
        return x

    def inverse_transform(self, x):
        """Imputation cannot be undone: the data as it is."""
        self._check_fitted("inverse_transform")
        return _table("SimpleImputer.inverse_transform", x, len(self.statistics_))


_CLASSES = {c.__name__: c for c in (StandardScaler, MinMaxScaler, RobustScaler, QuantileTransformer, OneHotEncoder,
                                    LabelEncoder, SimpleImputer)}


def preprocessor_from_config(config: dict):
    """Rebuild any transformer of this module from its ``get_config()`` dict (or a list of them, in order).

    Example:
        >>> scaler = nt.data.MinMaxScaler().fit(np.array([[0.0], [4.0]]))
        >>> again = nt.data.preprocessor_from_config(scaler.get_config())
        >>> again.transform(np.array([[1.0]])).tolist()
        [[0.25]]
    """
    if isinstance(config, list):
        return [preprocessor_from_config(c) for c in config]
    name = config.get("class") if isinstance(config, dict) else None
    if name not in _CLASSES:
        raise ValueError(f"preprocessor_from_config: unknown class {name!r}; known: {', '.join(sorted(_CLASSES))}")
    return _CLASSES[name].from_config(config)


def save_preprocessor(obj, path) -> None:
    """Write a transformer (or a list of them) as JSON.

    Example:
        >>> scaler = nt.data.StandardScaler().fit(np.array([[1.0], [3.0]]))
        >>> nt.data.save_preprocessor(scaler, "scaler.json")
        >>> nt.data.load_preprocessor("scaler.json").transform(np.array([[3.0]])).tolist()
        [[1.0]]
    """
    config = [o.get_config() for o in obj] if isinstance(obj, (list, tuple)) else obj.get_config()
    with open(path, "w", encoding="utf-8") as f:
        json.dump(config, f)


def load_preprocessor(path):
    """Read what :func:`save_preprocessor` wrote.

    Example:
        >>> steps = [nt.data.SimpleImputer().fit(np.array([[1.0], [np.nan], [3.0]])), nt.data.MinMaxScaler().fit(np.array([[1.0], [3.0]]))]
        >>> nt.data.save_preprocessor(steps, "pipeline.json")
        >>> [type(s).__name__ for s in nt.data.load_preprocessor("pipeline.json")]
        ['SimpleImputer', 'MinMaxScaler']
    """
    with open(path, encoding="utf-8") as f:
        return preprocessor_from_config(json.load(f))
