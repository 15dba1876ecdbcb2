"""Train/test split, hold-out validation, k-fold, stratified k-fold and time-series cross-validation.

Index sets match scikit-learn where its algorithm is simple to state (unshuffled ``KFold`` and
``TimeSeriesSplit`` give the very same folds; ``train_test_split`` the same sizes); the stratified
splitters keep every class's share in each part to within one sample.  Randomness comes from
``seed`` or, when it is None, neuronet's generator (``nt.manual_seed``).
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend

__all__ = ["train_test_split", "holdout", "KFold", "StratifiedKFold", "TimeSeriesSplit", "cross_validate"]


def _n_samples(where: str, arrays) -> int:
    if not arrays:
        raise ValueError(f"{where}: give at least one array")
    n = len(arrays[0])
    for i, a in enumerate(arrays):
        if len(a) != n:
            raise ValueError(f"{where}: array {i} has {len(a)} samples, array 0 has {n}")
    return n


def _test_count(where: str, test_size, n: int) -> int:
    if isinstance(test_size, float) and 0.0 < test_size < 1.0:
        n_test = int(np.ceil(test_size * n))
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    else:
        raise ValueError(f"{where}: test_size must be a float in (0, 1) or an int, got {test_size!r}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"{where}: test_size={test_size!r} leaves {n_test} of {n} samples for testing; "
                         f"both parts need at least one")
    return n_test


def _stratified_test_mask(where: str, labels, n_test: int, rng) -> np.ndarray:
    """A boolean test mask taking from each class its share of ``n_test`` (largest remainders)."""
    classes, y = np.unique(np.asarray(labels).reshape(len(labels), -1), axis=0, return_inverse=True)
    y = y.reshape(-1)
    counts = np.bincount(y)
    if counts.min() < 2:
        raise ValueError(f"{where}: class {classes[counts.argmin()].tolist()} has only {counts.min()} member; "
                         f"stratify needs at least 2 per class")
    share = counts * n_test / len(y)
    take = np.floor(share).astype(np.int64)
    extra = np.argsort(-(share - take), kind="stable")[: n_test - take.sum()]
    take[extra] += 1
    take = np.clip(take, 0, counts - 1)
    order = rng.permutation(len(y))
    order = order[np.argsort(y[order], kind="stable")]              # grouped by class, random within
    rank = np.arange(len(y)) - np.repeat(np.cumsum(counts) - counts, counts)
    mask = np.zeros(len(y), dtype=bool)
    mask[order[rank < np.repeat(take, counts)]] = True
    return mask


def train_test_split(*arrays, test_size=0.25, shuffle: bool = True, stratify=None, seed=None):
    """Split aligned arrays into a training and a test part.

    Args:
        *arrays: arrays with the same number of samples.
        test_size: fraction in (0, 1) (rounded up, as scikit-learn does) or a number of samples.
        shuffle: shuffle before splitting; False takes the last samples as the test part.
        stratify: labels whose class proportions both parts keep (needs ``shuffle``).
        seed: seed for this split; None uses neuronet's generator.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]`` like scikit-learn.

    Example:
        >>> x, y = np.arange(20.0).reshape(10, 2), np.array([0] * 5 + [1] * 5)
        >>> x_train, x_test, y_train, y_test = nt.data.train_test_split(x, y, test_size=0.2, stratify=y, seed=0)
        >>> x_train.shape, x_test.shape, np.bincount(y_test).tolist()  # one test sample of each class
        ((8, 2), (2, 2), [1, 1])
    """
    n = _n_samples("train_test_split", arrays)
    n_test = _test_count("train_test_split", test_size, n)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        train, test = np.arange(n - n_test), np.arange(n - n_test, n)
    else:
        rng = backend.generator(seed)
        if stratify is None:
            perm = rng.permutation(n)
            train, test = perm[n_test:], perm[:n_test]
        else:
            if len(stratify) != n:
                raise ValueError(f"train_test_split: stratify has {len(stratify)} labels, "
                                 f"the arrays have {n} samples")
            mask = _stratified_test_mask("train_test_split", stratify, n_test, rng)
            train, test = rng.permutation(np.flatnonzero(~mask)), rng.permutation(np.flatnonzero(mask))
    return [part for a in arrays for part in (a[train], a[test])]


def holdout(x, y, val_size=0.2, shuffle: bool = True, stratify: bool = False, seed=None):
    """Hold out part of ``(x, y)`` for validation: ``(x_train, y_train), (x_val, y_val)``.

    ``stratify=True`` keeps ``y``'s class proportions in both parts.

    Example:
        >>> x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
        >>> (x_train, y_train), (x_val, y_val) = nt.data.holdout(x, y, val_size=0.2, seed=0)
        >>> x_train.shape, x_val.shape, sorted(y_train.tolist() + y_val.tolist()) == list(range(10))
        ((8, 2), (2, 2), True)
    """
    x_tr, x_val, y_tr, y_val = train_test_split(x, y, test_size=val_size, shuffle=shuffle,
                                                stratify=y if stratify else None, seed=seed)
    return (x_tr, y_tr), (x_val, y_val)


def _check_splits(where: str, n_splits, n: int) -> None:
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"{where}: n_splits must be an int >= 2, got {n_splits!r}")
    if n_splits > n:
        raise ValueError(f"{where}: n_splits={n_splits} is more than the {n} samples")


def _folds_from_ids(fold_of: np.ndarray, n_splits: int):
    for k in range(n_splits):
        yield np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)


class KFold:
    """K-fold cross-validation: each sample is in the test fold exactly once.

    Without shuffling the folds are consecutive blocks, the first ``n % n_splits`` one sample
    larger (scikit-learn's folds exactly).

    Example:
        >>> folds = list(nt.data.KFold(n_splits=5).split(np.zeros((10, 1))))
        >>> len(folds), folds[0][1].tolist(), sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(10))
        (5, [0, 1], True)
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False, seed=None):
        _check_splits("KFold", n_splits, n_splits)
        self.n_splits, self.shuffle, self.seed = int(n_splits), shuffle, seed

    def get_n_splits(self, *args) -> int:
        return self.n_splits

    def split(self, x, y=None):
        """Yield ``(train_index, test_index)`` int64 arrays, one pair per fold."""
        n = len(x)
        _check_splits("KFold", self.n_splits, n)
        sizes = np.full(self.n_splits, n // self.n_splits)
        sizes[: n % self.n_splits] += 1
        fold_of = np.repeat(np.arange(self.n_splits), sizes)
        if self.shuffle:
            fold_of = fold_of[backend.generator(self.seed).permutation(n)]
        yield from _folds_from_ids(fold_of, self.n_splits)


class StratifiedKFold(KFold):
    """K-fold whose every fold keeps the class proportions of ``y`` (per class within one sample).

    Example:
        >>> y = np.array([0] * 6 + [1] * 3)
        >>> for train, test in nt.data.StratifiedKFold(n_splits=3).split(np.zeros((9, 1)), y):
        ...     print(np.bincount(y[test]).tolist())  # each fold keeps the 2:1 ratio
        [2, 1]
        [2, 1]
        [2, 1]
    """

    def split(self, x, y):
        """Yield ``(train_index, test_index)`` int64 arrays, one pair per fold."""
        n = len(x)
        _check_splits("StratifiedKFold", self.n_splits, n)
        if y is None or len(y) != n:
            raise ValueError(f"StratifiedKFold: needs labels y with {n} entries, got "
                             f"{None if y is None else len(y)}")
        _, labels = np.unique(np.asarray(y).reshape(n, -1), axis=0, return_inverse=True)
        labels = labels.reshape(-1)
        counts = np.bincount(labels)
        if counts.min() < self.n_splits:
            warnings.warn(f"StratifiedKFold: the smallest class has {counts.min()} members, fewer than "
                          f"n_splits={self.n_splits}; some folds will lack it", UserWarning, stacklevel=2)
        order = backend.generator(self.seed).permutation(n) if self.shuffle else np.arange(n)
        order = order[np.argsort(labels[order], kind="stable")]     # grouped by class
        fold_of = np.empty(n, dtype=np.int64)
        fold_of[order] = np.arange(n) % self.n_splits              # deal each class round the folds
        yield from _folds_from_ids(fold_of, self.n_splits)


class TimeSeriesSplit:
    """Expanding-window splits for ordered data: every training index comes before every test index.

    Args:
        n_splits: number of splits.
        test_size: samples per test fold (default ``n // (n_splits + 1)``).
        gap: samples left out between the end of training and the start of the test fold.
        max_train_size: keep only the latest ``max_train_size`` training samples.

    Same folds as scikit-learn's ``TimeSeriesSplit``.

    Example:
        >>> for train, test in nt.data.TimeSeriesSplit(n_splits=3).split(np.zeros((8, 1))):
        ...     print(train.tolist(), test.tolist())  # training always precedes testing
        [0, 1] [2, 3]
        [0, 1, 2, 3] [4, 5]
        [0, 1, 2, 3, 4, 5] [6, 7]
    """

    def __init__(self, n_splits: int = 5, test_size: int | None = None, gap: int = 0,
                 max_train_size: int | None = None):
        _check_splits("TimeSeriesSplit", n_splits, n_splits)
        if gap < 0:
            raise ValueError(f"TimeSeriesSplit: gap must be >= 0, got {gap}")
        self.n_splits, self.test_size, self.gap, self.max_train_size = int(n_splits), test_size, gap, max_train_size

    def get_n_splits(self, *args) -> int:
        return self.n_splits

    def split(self, x, y=None):
        """Yield ``(train_index, test_index)`` int64 arrays in time order."""
        n = len(x)
        test_size = self.test_size if self.test_size is not None else n // (self.n_splits + 1)
        if self.n_splits + 1 > n or test_size < 1:
            raise ValueError(f"TimeSeriesSplit: {n} samples cannot make {self.n_splits} splits "
                             f"(need at least n_splits + 1 = {self.n_splits + 1})")
        if n - self.gap - test_size * self.n_splits <= 0:
            raise ValueError(f"TimeSeriesSplit: {n} samples are too few for {self.n_splits} test folds of "
                             f"{test_size} with gap {self.gap}")
        for start in range(n - self.n_splits * test_size, n, test_size):
            end_train = start - self.gap
            begin = 0 if self.max_train_size is None else max(0, end_train - self.max_train_size)
            yield np.arange(begin, end_train), np.arange(start, start + test_size)


def cross_validate(model_fn, x, y, cv=5, fit_kwargs=None, metric=None, seed=None) -> dict:
    """Train a fresh model on each fold's training part and score it on the fold's test part.

    Args:
        model_fn: a function returning a new, compiled model with ``fit(x, y, **fit_kwargs)`` and
            ``evaluate(x, y)`` returning a dict of metrics (``neuronet.train.Model``).
        x, y: the data.
        cv: number of folds (stratified and shuffled when ``y`` is 1-D integer labels, shuffled
            ``KFold`` otherwise) or a splitter with ``split(x, y)`` (``KFold``, ``TimeSeriesSplit``...).
        fit_kwargs: keyword arguments for ``fit`` (epochs, batch_size, verbose...).
        metric: the key of ``evaluate``'s dict to report; default its first metric other than
            ``"loss"`` (or ``"loss"`` when there is none).
        seed: seed of the folds when ``cv`` is an int.

    Returns:
        ``{"metric": name, "scores": float64 array (one per fold), "mean": ..., "std": ...,
        "folds": [evaluate dicts]}``.

    Example:
        >>> x, y = nt.data.xor()
        >>> x, y = np.tile(x, (4, 1)), np.tile(y, (4, 1))
        >>> def build():
        ...     model = nt.Sequential([nt.nn.Dense(1)])
        ...     return model.compile(optimizer="sgd", loss="mse")
        >>> result = nt.data.cross_validate(build, x, y, cv=4, fit_kwargs={"epochs": 2, "verbose": 0})
        >>> result["metric"], result["scores"].shape, bool(result["mean"] == result["scores"].mean())
        ('loss', (4,), True)
    """
    if isinstance(cv, (int, np.integer)):
        y_arr = np.asarray(y)
        labels = y_arr.ndim == 1 and y_arr.dtype.kind in "iub"
        cv = (StratifiedKFold if labels else KFold)(int(cv), shuffle=True, seed=seed)
    if isinstance(cv, str) or not hasattr(cv, "split"):
        raise TypeError(f"cross_validate: cv must be an int or a splitter with split(x, y), got {type(cv).__name__}")
    folds = []
    for train, test in cv.split(x, y):
        model = model_fn()
        model.fit(x[train], y[train], **(fit_kwargs or {}))
        folds.append(dict(model.evaluate(x[test], y[test])))
    name = metric or next((k for k in folds[0] if k != "loss"), "loss")
    if name not in folds[0]:
        raise ValueError(f"cross_validate: evaluate returned {sorted(folds[0])}, no {name!r}")
    scores = np.array([f[name] for f in folds], dtype=np.float64)
    return {"metric": name, "scores": scores, "mean": float(scores.mean()), "std": float(scores.std()),
            "folds": folds}
