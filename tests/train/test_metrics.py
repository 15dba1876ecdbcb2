"""Metrics, checked against scikit-learn; streaming metrics against the functions on whole arrays."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.train import metrics as M
from tests.helpers import need


@pytest.fixture(scope="module")
def skm():
    """scikit-learn's metrics, the reference: tests that take it skip where scikit-learn is not installed."""
    return need("sklearn.metrics")


@pytest.fixture
def multiclass(rng):
    y = rng.integers(0, 4, size=200)
    scores = rng.normal(size=(200, 4)) + 1.5 * np.eye(4)[y]           # better than chance, not perfect
    return y, scores.astype(np.float32)


@pytest.fixture
def binary(rng):
    y = rng.integers(0, 2, size=150)
    prob = np.clip(0.5 * y + rng.uniform(0, 0.6, size=150), 0, 1)
    return y, prob.astype(np.float32)


# --- accuracies ------------------------------------------------------------------------------------
def test_accuracy_all_input_forms(multiclass, binary, skm):
    y, scores = multiclass
    pred = scores.argmax(1)
    expected = skm.accuracy_score(y, pred)
    assert M.accuracy(y, scores) == pytest.approx(expected)                      # sparse labels, scores
    assert M.accuracy(np.eye(4)[y], scores) == pytest.approx(expected)           # one-hot
    assert M.accuracy(y[:, None].astype(np.float32), scores) == pytest.approx(expected)  # (N, 1) labels
    assert M.accuracy(y, pred) == pytest.approx(expected)                        # labels vs labels
    assert M.sparse_categorical_accuracy(y, scores) == pytest.approx(expected)
    assert M.categorical_accuracy(np.eye(4)[y], scores) == pytest.approx(expected)
    yb, prob = binary
    bexp = skm.accuracy_score(yb, prob > 0.5)
    assert M.accuracy(yb, prob) == pytest.approx(bexp)                           # probabilities
    assert M.accuracy(yb[:, None].astype(np.float32), prob[:, None]) == pytest.approx(bexp)
    assert M.binary_accuracy(yb, prob) == pytest.approx(bexp)
    assert M.binary_accuracy(yb, prob, threshold=0.7) == pytest.approx(skm.accuracy_score(yb, prob > 0.7))
    assert M.binary_accuracy(2 * yb - 1, 2 * prob - 1, threshold=0.0) == pytest.approx(bexp)   # bipolar


def test_accuracy_shape_errors():
    with pytest.raises(ValueError, match=r"accuracy: y_true of shape \(3,\) does not match y_pred of shape \(4, 5\)"):
        M.accuracy(np.zeros(3), np.zeros((4, 5)))
    with pytest.raises(ValueError, match="class labels"):
        M.accuracy(np.array([0.5, 1.0]), np.array([0, 1]))
    with pytest.raises(ValueError, match="empty"):
        M.accuracy(np.array([]), np.array([]))


def test_top_k_accuracy_matches_sklearn(multiclass, skm):
    y, scores = multiclass
    for k in (1, 2, 3):
        assert M.top_k_accuracy(y, scores, k) == pytest.approx(
            skm.top_k_accuracy_score(y, scores, k=k, labels=range(4)))
    assert M.top_k_accuracy(np.eye(4)[y], scores, 2) == M.top_k_accuracy(y, scores, 2)
    assert M.top_k_accuracy(y, scores, k=4) == 1.0


# --- confusion matrix and precision / recall / F1 ---------------------------------------------------
def test_confusion_matrix_matches_sklearn(multiclass, skm):
    y, scores = multiclass
    pred = scores.argmax(1)
    cm = M.confusion_matrix(y, pred)
    assert cm.dtype == np.int64 and np.array_equal(cm, skm.confusion_matrix(y, pred))
    assert np.array_equal(M.confusion_matrix(y, scores), cm)                     # scores accepted
    big = M.confusion_matrix(y, pred, num_classes=6)
    assert big.shape == (6, 6) and np.array_equal(big[:4, :4], cm)
    with pytest.raises(ValueError, match="out of range for num_classes=3"):
        M.confusion_matrix(y, pred, num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        M.confusion_matrix([-1, 0], [0, 0])


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
@pytest.mark.parametrize("name", ["precision", "recall", "f1"])
def test_prf_multiclass_matches_sklearn(multiclass, average, name, skm):
    y, scores = multiclass
    pred = scores.argmax(1)
    pred[pred == 3] = 2                                       # class 3 never predicted: a 0/0 precision
    ref = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
    ours = {"precision": M.precision, "recall": M.recall, "f1": M.f1_score}[name]
    assert np.allclose(ours(y, pred, average=average), ref(y, pred, average=average, zero_division=0))


def test_prf_binary_and_auto(binary, skm):
    y, prob = binary
    pred = (prob > 0.5).astype(int)
    assert M.precision(y, prob) == pytest.approx(skm.precision_score(y, pred))      # auto -> binary
    assert M.recall(y, prob) == pytest.approx(skm.recall_score(y, pred))
    assert M.f1(y, pred) == pytest.approx(skm.f1_score(y, pred))
    assert M.f1(y, pred, pos_label=0) == pytest.approx(skm.f1_score(y, pred, pos_label=0))
    assert M.precision([0, 1, 2, 2], [0, 2, 2, 2]) == pytest.approx(
        skm.precision_score([0, 1, 2, 2], [0, 2, 2, 2], average="macro", zero_division=0))   # auto -> macro
    with pytest.raises(ValueError, match="average='binary' needs labels 0/1"):
        M.precision([0, 1, 2], [0, 1, 2], average="binary")
    with pytest.raises(ValueError, match="average must be one of"):
        M.recall(y, pred, average="samples")


def test_prf_labels_absent_and_num_classes(skm):
    y, pred = np.array([0, 0, 2, 2]), np.array([0, 2, 2, 2])               # class 1 absent
    assert M.f1(y, pred, average="macro") == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert M.f1(y, pred, average="macro", num_classes=3) == pytest.approx(
        skm.f1_score(y, pred, average="macro", labels=[0, 1, 2], zero_division=0))


# --- regression ------------------------------------------------------------------------------------
def test_regression_metrics_match_sklearn(rng, skm):
    t = rng.normal(size=50)
    p = t + rng.normal(scale=0.3, size=50)
    assert M.mae(t, p) == pytest.approx(skm.mean_absolute_error(t, p))
    assert M.mse(t, p) == pytest.approx(skm.mean_squared_error(t, p))
    assert M.rmse(t, p) == pytest.approx(np.sqrt(skm.mean_squared_error(t, p)))
    assert M.r2(t, p) == pytest.approx(skm.r2_score(t, p))
    assert M.r2(t[:, None], p) == pytest.approx(skm.r2_score(t, p))                # (N, 1) with (N,)
    t2, p2 = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    assert M.r2(t2, p2) == pytest.approx(skm.r2_score(t2, p2))
    assert M.mae(t2, p2) == pytest.approx(skm.mean_absolute_error(t2, p2))
    assert M.r2(np.ones(5), np.ones(5)) == 1.0 and M.r2(np.ones(5), np.zeros(5)) == 0.0
    with pytest.raises(ValueError, match=r"mse: y_true of shape \(50,\) does not match y_pred of shape \(50, 2\)"):
        M.mse(t, np.zeros((50, 2)))


# --- streaming metrics -----------------------------------------------------------------------------
def _stream(metric, y_true, y_pred, batch=17):
    metric.reset()
    for s in range(0, len(y_true), batch):
        metric.update(y_true[s:s + batch], y_pred[s:s + batch])
    return metric.result()


def test_streaming_metrics_equal_whole_array_functions(multiclass, binary, rng):
    y, scores = multiclass
    yb, prob = binary
    t, p = rng.normal(size=(90, 2)), rng.normal(size=(90, 2))
    cases = [
        (M.Accuracy(), y, scores, M.accuracy(y, scores)),
        (M.Accuracy(), yb, prob, M.accuracy(yb, prob)),
        (M.SparseCategoricalAccuracy(), y, scores, M.accuracy(y, scores)),
        (M.CategoricalAccuracy(), np.eye(4)[y], scores, M.accuracy(y, scores)),
        (M.BinaryAccuracy(threshold=0.4), yb, prob, M.binary_accuracy(yb, prob, 0.4)),
        (M.TopKAccuracy(2), y, scores, M.top_k_accuracy(y, scores, 2)),
        (M.Precision(average="macro"), y, scores, M.precision(y, scores, average="macro")),
        (M.Recall(average="weighted"), y, scores, M.recall(y, scores, average="weighted")),
        (M.F1Score(), yb, prob, M.f1(yb, prob)),
        (M.MeanAbsoluteError(), t, p, M.mae(t, p)),
        (M.MeanSquaredError(), t, p, M.mse(t, p)),
        (M.RootMeanSquaredError(), t, p, M.rmse(t, p)),
        (M.R2Score(), t, p, M.r2(t, p)),
    ]
    for metric, a, b, expected in cases:
        assert _stream(metric, a, b) == pytest.approx(expected, rel=1e-12), type(metric).__name__
        assert _stream(metric, a, b) == pytest.approx(expected, rel=1e-12)     # reset really resets


def test_streaming_confusion_metric_grows_with_new_labels(skm):
    m = M.F1Score(average="macro")
    m.update(np.array([0, 1]), np.array([0, 1]))
    m.update(np.array([3, 3]), np.array([3, 2]))
    assert m.result() == pytest.approx(skm.f1_score([0, 1, 3, 3], [0, 1, 3, 2], average="macro"))


def test_streaming_r2_constant_targets_and_call():
    m = M.R2Score()
    m.update(np.ones(3), np.ones(3))
    assert m(np.ones(4), np.ones(4)) == 1.0
    acc = M.Accuracy()
    assert acc(np.array([1, 0]), np.array([0.9, 0.8])) == 0.5 and acc.result() == 0.5
    assert M.Accuracy().result() == 0.0


def test_metrics_accept_tensors():
    y = nt.tensor(np.array([0, 1, 1]))
    p = nt.tensor(np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]], dtype=np.float32))
    assert M.accuracy(y, p) == pytest.approx(2 / 3)


def test_get_metric_names():
    for name, cls in [("accuracy", M.Accuracy), ("acc", M.Accuracy), ("precision", M.Precision),
                      ("recall", M.Recall), ("f1", M.F1Score), ("mae", M.MeanAbsoluteError),
                      ("mse", M.MeanSquaredError), ("rmse", M.RootMeanSquaredError), ("r2", M.R2Score),
                      ("binary_accuracy", M.BinaryAccuracy),
                      ("sparse_categorical_accuracy", M.SparseCategoricalAccuracy)]:
        metric = M.get_metric(name)
        assert type(metric) is cls and metric.name == name
    top5 = M.get_metric("top5")
    assert isinstance(top5, M.TopKAccuracy) and top5.k == 5 and top5.name == "top5"
    assert M.get_metric("top_k_accuracy").k == 5 and M.get_metric("top3").k == 3
    obj = M.Recall()
    assert M.get_metric(obj) is obj and isinstance(M.get_metric(M.Precision), M.Precision)

    def hits(y_true, y_pred):
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    fm = M.get_metric(hits)
    fm.update(np.array([1, 2]), np.array([1, 0]))
    fm.update(np.array([3, 3, 3]), np.array([3, 3, 3]))
    assert fm.name == "hits" and fm.result() == pytest.approx(4 / 5)
    with pytest.raises(ValueError, match="unknown metric 'auc'"):
        M.get_metric("auc")
    with pytest.raises(TypeError, match="get_metric"):
        M.get_metric(3)
