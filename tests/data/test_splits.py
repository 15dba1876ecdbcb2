"""Splits and cross-validation, checked against scikit-learn."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data import KFold, StratifiedKFold, TimeSeriesSplit, cross_validate, holdout, train_test_split

sk_ms = pytest.importorskip("sklearn.model_selection")


def _labels(rng, n=103, classes=(0.5, 0.3, 0.2)):
    return rng.choice(len(classes), size=n, p=classes)


@pytest.mark.parametrize("n, test_size", [(100, 0.25), (101, 0.3), (10, 3), (7, 0.5)])
def test_train_test_split_sizes_match_sklearn(n, test_size):
    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, seed=0)
    sx_tr, sx_te = sk_ms.train_test_split(x, test_size=test_size, random_state=0)
    assert (len(x_tr), len(x_te)) == (len(sx_tr), len(sx_te))
    assert np.array_equal(np.sort(np.concatenate([y_tr, y_te])), y)      # a partition
    assert np.array_equal(x_tr[:, 0] // 2, y_tr)                          # rows stay aligned


def test_train_test_split_unshuffled_matches_sklearn_exactly():
    x = np.arange(23)
    ours = train_test_split(x, test_size=0.2, shuffle=False)
    theirs = sk_ms.train_test_split(x, test_size=0.2, shuffle=False)
    assert all(np.array_equal(a, b) for a, b in zip(ours, theirs))


def test_stratified_split_keeps_proportions(rng):
    y = _labels(rng)
    y_tr, y_te = train_test_split(y, test_size=0.3, stratify=y, seed=1)
    sy_tr, sy_te = sk_ms.train_test_split(y, test_size=0.3, stratify=y, random_state=1)
    assert len(y_te) == len(sy_te)
    assert np.abs(np.bincount(y_te, minlength=3) - np.bincount(sy_te, minlength=3)).max() <= 1
    expected = np.bincount(y) * len(y_te) / len(y)
    assert np.abs(np.bincount(y_te) - expected).max() < 1
    assert not np.array_equal(y_te, np.sort(y_te))                         # shuffled, not grouped


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


def test_holdout():
    x, y = np.arange(40).reshape(20, 2), np.arange(20) % 2
    (x_tr, y_tr), (x_val, y_val) = holdout(x, y, val_size=0.25, stratify=True, seed=0)
    assert len(x_val) == 5 and len(x_tr) == 15 and abs(int(y_val.sum()) - 2.5) <= 0.5


@pytest.mark.parametrize("n, k", [(10, 3), (12, 4), (7, 7), (103, 5)])
def test_kfold_unshuffled_identical_to_sklearn(n, k):
    x = np.zeros((n, 1))
    for (tr, te), (str_, ste) in zip(KFold(k).split(x), sk_ms.KFold(k).split(x), strict=True):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)


def test_kfold_shuffled_partitions_with_sklearn_sizes():
    x = np.zeros((23, 1))
    tests = [te for _, te in KFold(4, shuffle=True, seed=0).split(x)]
    assert sorted(len(t) for t in tests) == sorted(len(t) for _, t in sk_ms.KFold(4).split(x))
    assert np.array_equal(np.sort(np.concatenate(tests)), np.arange(23))
    assert not np.array_equal(np.concatenate(tests), np.arange(23))
    again = [te for _, te in KFold(4, shuffle=True, seed=0).split(x)]
    assert all(np.array_equal(a, b) for a, b in zip(tests, again))


@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_proportions_like_sklearn(rng, shuffle):
    y = _labels(rng)
    x = np.zeros((len(y), 1))
    ours = list(StratifiedKFold(5, shuffle=shuffle, seed=0).split(x, y))
    theirs = list(sk_ms.StratifiedKFold(5, shuffle=shuffle, random_state=0 if shuffle else None).split(x, y))
    assert len(ours) == len(theirs) == 5
    ours_counts = np.array([np.bincount(y[te], minlength=3) for _, te in ours])
    theirs_counts = np.array([np.bincount(y[te], minlength=3) for _, te in theirs])
    assert np.array_equal(np.sort(ours_counts, 0), np.sort(theirs_counts, 0))   # same per-class fold sizes
    assert np.array_equal(np.sort(np.concatenate([te for _, te in ours])), np.arange(len(y)))
    for tr, te in ours:
        assert np.intersect1d(tr, te).size == 0 and len(tr) + len(te) == len(y)


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
def test_time_series_split_identical_to_sklearn(n, kw):
    x = np.zeros((n, 1))
    ours = list(TimeSeriesSplit(**kw).split(x))
    theirs = list(sk_ms.TimeSeriesSplit(**kw).split(x))
    assert len(ours) == len(theirs)
    for (tr, te), (str_, ste) in zip(ours, theirs):
        assert np.array_equal(tr, str_) and np.array_equal(te, ste)
        assert tr.max() < te.min()                                       # no future in training


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
