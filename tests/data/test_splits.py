"""Splits and cross-validation: partitions checked directly, and against scikit-learn where it is installed
(only those comparisons skip without it)."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data import KFold, StratifiedKFold, TimeSeriesSplit, cross_validate, holdout, train_test_split


@pytest.fixture
def sk_ms():
    """scikit-learn's model_selection, for the comparisons; only the tests that take it skip without it."""
    return pytest.importorskip("sklearn.model_selection",
                               reason="compares with scikit-learn, which is not installed")


def _labels(rng, n=103, classes=(0.5, 0.3, 0.2)):
    return rng.choice(len(classes), size=n, p=classes)


@pytest.mark.parametrize("n, test_size", [(100, 0.25), (101, 0.3), (10, 3), (7, 0.5)])
def test_train_test_split_sizes_match_sklearn(n, test_size, sk_ms):
    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, seed=0)
    sx_tr, sx_te = sk_ms.train_test_split(x, test_size=test_size, random_state=0)
    assert (len(x_tr), len(x_te)) == (len(sx_tr), len(sx_te))
    assert np.array_equal(np.sort(np.concatenate([y_tr, y_te])), y)      # a partition
    assert np.array_equal(x_tr[:, 0] // 2, y_tr)                          # rows stay aligned


def test_train_test_split_unshuffled_matches_sklearn_exactly(sk_ms):
    x = np.arange(23)
    ours = train_test_split(x, test_size=0.2, shuffle=False)
    theirs = sk_ms.train_test_split(x, test_size=0.2, shuffle=False)
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))


def test_stratified_split_keeps_proportions(rng):
    y = _labels(rng)
    ids = np.arange(len(y))
    ids_tr, ids_te, y_tr, y_te = train_test_split(ids, y, test_size=0.3, stratify=y, seed=1)
    assert len(y_te) == int(np.ceil(0.3 * len(y))) and len(y_tr) + len(y_te) == len(y)
    assert np.array_equal(np.sort(np.concatenate([ids_tr, ids_te])), ids)   # every sample exactly once
    assert np.array_equal(y[ids_te], y_te) and np.array_equal(y[ids_tr], y_tr)
    expected = np.bincount(y) * len(y_te) / len(y)
    assert np.abs(np.bincount(y_te, minlength=3) - expected).max() < 1
    assert not np.array_equal(y_te, np.sort(y_te))                         # shuffled, not grouped


def test_stratified_split_class_counts_like_sklearn(rng, sk_ms):
    y = _labels(rng)
    y_tr, y_te = train_test_split(y, test_size=0.3, stratify=y, seed=1)
    sy_tr, sy_te = sk_ms.train_test_split(y, test_size=0.3, stratify=y, random_state=1)
    assert len(y_te) == len(sy_te)
    assert np.abs(np.bincount(y_te, minlength=3) - np.bincount(sy_te, minlength=3)).max() <= 1


def test_split_determinism_and_errors():
    x = np.arange(50)
    assert np.array_equal(train_test_split(x, seed=4)[1], train_test_split(x, seed=4)[1])
    nt.manual_seed(2)
    a = train_test_split(x)[1]
    nt.manual_seed(2)
    assert np.array_equal(a, train_test_split(x)[1])
    with pytest.raises(ValueError, match="array 1 has 49 samples"):
        train_test_split(x, x[:49])
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(x, test_size=1.5)
    with pytest.raises(ValueError, match="both parts"):
        train_test_split(x, test_size=50)
    with pytest.raises(ValueError, match="at least 2 per class"):
        train_test_split(x, stratify=np.r_[np.zeros(49), 1])
    with pytest.raises(ValueError, match="needs shuffle"):
        train_test_split(x, stratify=x % 2, shuffle=False)


def _check_partition(n, x_tr, y_tr, x_val, y_val, y, n_val):
    """Rows of x are (index, 10·index): every sample lands in exactly one part, with its own label."""
    assert len(x_val) == len(y_val) == n_val and len(x_tr) == len(y_tr) == n - n_val
    ids_tr, ids_val = x_tr[:, 0], x_val[:, 0]
    assert np.intersect1d(ids_tr, ids_val).size == 0
    assert np.array_equal(np.sort(np.concatenate([ids_tr, ids_val])), np.arange(n))
    assert np.array_equal(x_tr[:, 1], 10 * ids_tr) and np.array_equal(x_val[:, 1], 10 * ids_val)
    assert np.array_equal(y_tr, y[ids_tr]) and np.array_equal(y_val, y[ids_val])
    return ids_tr, ids_val


@pytest.mark.parametrize("val_size", [0.25, 0.1, 17])
def test_holdout_is_a_disjoint_complete_stratified_split(rng, val_size):
    y = _labels(rng)                                                    # 103 samples, classes ~ 50/30/20%
    n = len(y)
    x = np.stack([np.arange(n), 10 * np.arange(n)], axis=1)
    n_val = val_size if isinstance(val_size, int) else int(np.ceil(val_size * n))   # rounded up, like sklearn
    (x_tr, y_tr), (x_val, y_val) = holdout(x, y, val_size=val_size, stratify=True, seed=0)
    _, ids_val = _check_partition(n, x_tr, y_tr, x_val, y_val, y, n_val)
    for part, size in ((y_val, n_val), (y_tr, n - n_val)):              # each class in proportion, within one
        assert np.abs(np.bincount(part, minlength=3) - np.bincount(y) * size / n).max() < 1
    assert not np.array_equal(ids_val, np.arange(n - n_val, n))         # shuffled, not the tail
    (_, _), (again, _) = holdout(x, y, val_size=val_size, stratify=True, seed=0)
    assert np.array_equal(again, x_val)                                  # the seed fixes the split


def test_holdout_without_stratify_or_shuffle():
    y = np.arange(20) % 2
    x = np.stack([np.arange(20), 10 * np.arange(20)], axis=1)
    (x_tr, y_tr), (x_val, y_val) = holdout(x, y, val_size=0.25, seed=3)
    ids_tr, ids_val = _check_partition(20, x_tr, y_tr, x_val, y_val, y, 5)
    (x_tr, y_tr), (x_val, y_val) = holdout(x, y, val_size=0.25, shuffle=False)
    ids_tr, ids_val = _check_partition(20, x_tr, y_tr, x_val, y_val, y, 5)
    assert np.array_equal(ids_tr, np.arange(15)) and np.array_equal(ids_val, np.arange(15, 20))   # the tail


@pytest.mark.parametrize("n, k", [(10, 3), (12, 4), (7, 7), (103, 5)])
def test_kfold_unshuffled_identical_to_sklearn(n, k, sk_ms):
    x = np.zeros((n, 1))
    for (tr, te), (str_, ste) in zip(KFold(k).split(x), sk_ms.KFold(k).split(x), strict=True):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)


def test_kfold_shuffled_fold_sizes_like_sklearn(sk_ms):
    x = np.zeros((23, 1))
    tests = [te for _, te in KFold(4, shuffle=True, seed=0).split(x)]
    assert sorted(len(t) for t in tests) == sorted(len(t) for _, t in sk_ms.KFold(4).split(x))


def test_kfold_shuffled_partitions():
    x = np.zeros((23, 1))
    folds = list(KFold(4, shuffle=True, seed=0).split(x))
    tests = [te for _, te in folds]
    assert sorted(len(t) for t in tests) == [5, 6, 6, 6]                  # n // k, the first n % k one larger
    for tr, te in folds:
        assert np.intersect1d(tr, te).size == 0 and np.array_equal(np.sort(np.concatenate([tr, te])), np.arange(23))
    assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(23))
    assert not np.array_equal(np.concatenate(tests), np.arange(23))
    again = [te for _, te in KFold(4, shuffle=True, seed=0).split(x)]
    assert all(np.array_equal(a, b) for a, b in zip(tests, again))


@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_partitions_in_proportion(rng, shuffle):
    y = _labels(rng)
    x = np.zeros((len(y), 1))
    ours = list(StratifiedKFold(5, shuffle=shuffle, seed=0).split(x, y))
    assert len(ours) == 5
    assert np.array_equal(np.sort(np.concatenate([te for _, te in ours])), np.arange(len(y)))
    for tr, te in ours:
        assert np.intersect1d(tr, te).size == 0 and len(tr) + len(te) == len(y)
        assert np.abs(np.bincount(y[te], minlength=3) - np.bincount(y) / 5).max() < 1   # each class split evenly


@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_proportions_like_sklearn(rng, shuffle, sk_ms):
    y = _labels(rng)
    x = np.zeros((len(y), 1))
    ours = list(StratifiedKFold(5, shuffle=shuffle, seed=0).split(x, y))
    theirs = list(sk_ms.StratifiedKFold(5, shuffle=shuffle, random_state=0 if shuffle else None).split(x, y))
    assert len(ours) == len(theirs) == 5
    ours_counts = np.array([np.bincount(y[te], minlength=3) for _, te in ours])
    theirs_counts = np.array([np.bincount(y[te], minlength=3) for _, te in theirs])
    assert np.array_equal(np.sort(ours_counts, 0), np.sort(theirs_counts, 0))   # same per-class fold sizes


def test_stratified_kfold_warns_and_errors():
    y = np.array([0] * 10 + [1] * 2)
    with pytest.warns(UserWarning, match="smallest class has 2"):
        list(StratifiedKFold(3).split(np.zeros(12), y))
    with pytest.raises(ValueError, match="needs labels"):
        list(StratifiedKFold(3).split(np.zeros(12), None))
    with pytest.raises(ValueError, match="n_splits must be an int >= 2"):
        KFold(1)
    with pytest.raises(ValueError, match="more than the 3 samples"):
        list(KFold(4).split(np.zeros(3)))


@pytest.mark.parametrize("n, kw", [
    (20, {}), (20, {"n_splits": 3}), (25, {"n_splits": 4, "test_size": 3}), (25, {"n_splits": 3, "gap": 2}),
    (30, {"n_splits": 4, "max_train_size": 5}), (30, {"n_splits": 3, "test_size": 4, "gap": 3, "max_train_size": 10}),
])
def test_time_series_split_identical_to_sklearn(n, kw, sk_ms):
    x = np.zeros((n, 1))
    ours = list(TimeSeriesSplit(**kw).split(x))
    theirs = list(sk_ms.TimeSeriesSplit(**kw).split(x))
    assert len(ours) == len(theirs)
    for (tr, te), (str_, ste) in zip(ours, theirs):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)
        assert tr.max() < te.min()                                       # no future in training


@pytest.mark.parametrize("n, k, gap, max_train", [(20, 3, 0, None), (31, 4, 2, None), (30, 3, 1, 6)])
def test_time_series_split_tiles_the_tail_and_trains_on_the_past(n, k, gap, max_train):
    folds = list(TimeSeriesSplit(k, gap=gap, max_train_size=max_train).split(np.zeros((n, 1))))
    size = n // (k + 1)                                                   # scikit-learn's default test size
    assert len(folds) == k
    assert np.array_equal(np.concatenate([te for _, te in folds]), np.arange(n - k * size, n))
    for tr, te in folds:
        assert np.array_equal(te, np.arange(te[0], te[0] + size))         # consecutive, one test size each
        past = np.arange(te[0] - gap)                                     # everything before the gap
        assert np.array_equal(tr, past if max_train is None else past[-max_train:])


def test_time_series_split_too_few_samples():
    with pytest.raises(ValueError, match="TimeSeriesSplit"):
        list(TimeSeriesSplit(5).split(np.zeros(5)))
    with pytest.raises(ValueError, match="gap"):
        list(TimeSeriesSplit(3, test_size=3, gap=5).split(np.zeros(12)))


class _MeanModel:
    """Predicts the training mean; evaluate reports mae and a fake accuracy (the fold's size)."""

    created = 0

    def __init__(self):
        type(self).created += 1
        self.fit_kwargs = None

    def fit(self, x, y, **kwargs):
        self.mean, self.fit_kwargs = float(np.mean(y)), kwargs

    def evaluate(self, x, y):
        return {"loss": 0.0, "mae": float(np.abs(y - self.mean).mean()), "n": float(len(y))}


def test_cross_validate_fresh_model_per_fold():
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = np.arange(20, dtype=np.float32)
    _MeanModel.created = 0
    out = cross_validate(_MeanModel, x, y, cv=KFold(4), fit_kwargs={"epochs": 3})
    assert _MeanModel.created == 4 and out["metric"] == "mae"
    expected = [np.abs(y[te] - y[tr].mean()).mean() for tr, te in KFold(4).split(x)]
    assert np.allclose(out["scores"], expected)
    assert out["mean"] == pytest.approx(np.mean(expected)) and out["std"] == pytest.approx(np.std(expected))
    assert len(out["folds"]) == 4
    assert cross_validate(_MeanModel, x, y, cv=5, metric="n", seed=0)["scores"].tolist() == [4.0] * 5
    with pytest.raises(ValueError, match="no 'f1'"):
        cross_validate(_MeanModel, x, y, cv=2, metric="f1")
    with pytest.raises(TypeError, match="cv must be"):
        cross_validate(_MeanModel, x, y, cv="five")


def test_cross_validate_with_a_real_model_on_iris():
    from neuronet.data import load_iris
    from neuronet.nn import Dense
    from neuronet.train import Sequential

    x, y = load_iris()
    x = (x - x.mean(0)) / x.std(0)

    def make():
        model = Sequential([Dense(16, activation="relu"), Dense(3)])
        model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy", "f1"], learning_rate=0.05)
        return model

    out = cross_validate(make, x, y, cv=3, fit_kwargs={"epochs": 30, "batch_size": 16, "verbose": 0}, seed=0)
    assert out["metric"] == "accuracy" and len(out["scores"]) == 3
    assert out["mean"] >= 0.85 and all("f1" in fold for fold in out["folds"])
