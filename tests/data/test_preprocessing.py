"""Preprocessing: the same numbers as scikit-learn, fitted on training data only, rebuilt from JSON."""
import json

import numpy as np
import pytest

import neuronet as nt
from neuronet.data import preprocessing as P
from tests.helpers import need


def _data(seed=0):
    rng = np.random.default_rng(seed)
    train = rng.standard_normal((200, 4)) * [1, 5, 0.1, 3] + [0, 10, -2, 1]
    train[:, 3] = rng.exponential(2.0, 200)            # skewed, with outliers
    train[:5, 3] = 50
    test = rng.standard_normal((30, 4)) * 4
    return train, test


def _roundtrip(obj):
    return nt.data.preprocessor_from_config(json.loads(json.dumps(obj.get_config())))


SCALERS = [
    (lambda: P.StandardScaler(), "StandardScaler", {}),
    (lambda: P.StandardScaler(with_mean=False), "StandardScaler", {"with_mean": False}),
    (lambda: P.MinMaxScaler((-1, 1)), "MinMaxScaler", {"feature_range": (-1, 1)}),
    (lambda: P.RobustScaler(quantile_range=(10, 90)), "RobustScaler", {"quantile_range": (10, 90)}),
    (lambda: P.QuantileTransformer(n_quantiles=50), "QuantileTransformer", {"n_quantiles": 50}),
    (lambda: P.QuantileTransformer(n_quantiles=100, output_distribution="normal"), "QuantileTransformer",
     {"n_quantiles": 100, "output_distribution": "normal"}),
]


@pytest.mark.parametrize("make, sk_name, sk_args", SCALERS)
def test_scalers_match_sklearn_and_survive_json(make, sk_name, sk_args):
    preprocessing = need("sklearn.preprocessing")
    train, test = _data()
    ours = make().fit(train)
    theirs = getattr(preprocessing, sk_name)(**sk_args).fit(train)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.transform(train), theirs.transform(train), rtol=1e-9, atol=1e-9)
    back = ours.inverse_transform(ours.transform(test))
    inside = (test >= train.min(0)) & (test <= train.max(0))   # quantile maps clip outside the training range
    np.testing.assert_allclose(back[inside], test[inside], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(test)),
                               theirs.inverse_transform(theirs.transform(test)), rtol=1e-6, atol=1e-6)
    again = _roundtrip(ours)
    np.testing.assert_array_equal(again.transform(test), ours.transform(test))


def test_fit_uses_the_training_data_only():
    train, test = _data()
    scaler = nt.data.StandardScaler().fit(train)
    z = scaler.transform(test)
    assert np.abs(z.mean(0)).max() > 0.1                     # the test set is not re-centred on itself
    np.testing.assert_allclose(scaler.transform(train).mean(0), 0, atol=1e-12)
    with pytest.raises(RuntimeError, match="StandardScaler.transform: call fit on the training data first"):
        nt.data.StandardScaler().transform(train)
    with pytest.raises(ValueError, match=r"StandardScaler.transform: fitted on 4 features, got 3"):
        scaler.transform(test[:, :3])


def test_constant_feature_is_left_unscaled():
    sk = need("sklearn.preprocessing")
    x = np.c_[np.ones(10), np.arange(10.0)]
    for ours, theirs in [(P.StandardScaler(), sk.StandardScaler()), (P.MinMaxScaler(), sk.MinMaxScaler()),
                         (P.RobustScaler(), sk.RobustScaler())]:
        np.testing.assert_allclose(ours.fit_transform(x), theirs.fit_transform(x), atol=1e-12)


def test_normal_quantiles_of_the_ppf():
    norm = need("scipy.stats").norm  # scipy comes with scikit-learn
    p = np.array([1e-7, 1e-5, 0.01, 0.02425, 0.3, 0.5, 0.9, 0.999999, 1 - 1e-7])
    np.testing.assert_allclose(P.normal_ppf(p), norm.ppf(p), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(P.normal_cdf(norm.ppf(p)), p, rtol=1e-9, atol=1e-15)


def test_one_hot_and_label_encoders_match_sklearn():
    sk = need("sklearn.preprocessing")
    train = np.array([["red", "s"], ["green", "m"], ["blue", "s"], ["green", "l"]])
    test = np.array([["blue", "l"], ["red", "m"]])
    ours = nt.data.OneHotEncoder().fit(train)
    theirs = sk.OneHotEncoder(sparse_output=False).fit(train)
    np.testing.assert_array_equal(ours.transform(test), theirs.transform(test))
    np.testing.assert_array_equal(ours.inverse_transform(ours.transform(test)), test)
    np.testing.assert_array_equal(_roundtrip(ours).transform(test), theirs.transform(test))
    with pytest.raises(ValueError, match="OneHotEncoder.transform: feature 0 has categories not seen in fit"):
        ours.transform(np.array([["pink", "s"]]))
    ignore = nt.data.OneHotEncoder(handle_unknown="ignore").fit(train)
    np.testing.assert_array_equal(ignore.transform(np.array([["pink", "s"]])),
                                  sk.OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train)
                                  .transform(np.array([["pink", "s"]])))
    ints = np.array([[3], [1], [3], [7]])
    np.testing.assert_array_equal(nt.data.OneHotEncoder().fit(ints).transform(ints),
                                  sk.OneHotEncoder(sparse_output=False).fit(ints).transform(ints))

    labels = np.array(["cat", "dog", "cat", "bird"])
    le = nt.data.LabelEncoder().fit(labels)
    np.testing.assert_array_equal(le.transform(labels), sk.LabelEncoder().fit(labels).transform(labels))
    np.testing.assert_array_equal(_roundtrip(le).inverse_transform([0, 2]), ["bird", "dog"])
    with pytest.raises(ValueError, match="LabelEncoder.transform: labels not seen in fit"):
        le.transform(["fish"])


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
def test_imputer_matches_sklearn(strategy):
    impute = need("sklearn.impute")
    rng = np.random.default_rng(3)
    train = rng.integers(0, 5, (50, 3)).astype(float)
    train[rng.random(train.shape) < 0.2] = np.nan
    test = rng.integers(0, 5, (10, 3)).astype(float)
    test[rng.random(test.shape) < 0.3] = np.nan
    kwargs = {"fill_value": -1.0} if strategy == "constant" else {}
    ours = nt.data.SimpleImputer(strategy, **kwargs).fit(train)
    theirs = impute.SimpleImputer(strategy=strategy, **kwargs).fit(train)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test))
    np.testing.assert_allclose(_roundtrip(ours).transform(test), theirs.transform(test))


def test_save_and_load_a_chain(tmp_path):
    train, test = _data()
    chain = [nt.data.SimpleImputer("median").fit(train), nt.data.StandardScaler().fit(train)]
    nt.data.save_preprocessor(chain, tmp_path / "pre.json")
    loaded = nt.data.load_preprocessor(tmp_path / "pre.json")
    assert [type(o).__name__ for o in loaded] == ["SimpleImputer", "StandardScaler"]
    np.testing.assert_array_equal(loaded[1].transform(loaded[0].transform(test)), chain[1].transform(test))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="MinMaxScaler: feature_range must be"):
        nt.data.MinMaxScaler((1, 0))
    with pytest.raises(ValueError, match="QuantileTransformer: output_distribution must be"):
        nt.data.QuantileTransformer(output_distribution="gamma")
    with pytest.raises(ValueError, match="preprocessor_from_config: unknown class 'Nope'"):
        nt.data.preprocessor_from_config({"class": "Nope"})
    with pytest.raises(ValueError, match=r"StandardScaler.fit: expected a table \(samples, features\)"):
        nt.data.StandardScaler().fit(np.zeros((2, 2, 2)))
