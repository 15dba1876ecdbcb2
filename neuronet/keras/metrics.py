"""``keras.metrics``: Keras's metric names over neuronet's metrics (``metrics=["accuracy"]``
strings work in ``compile`` as they are).  ``"accuracy"`` reads the task from the shapes as Keras
does; ``keras.metrics.Accuracy`` (exact equality of values) is not provided — use the string."""
from ..train.metrics import (BinaryAccuracy, CategoricalAccuracy, F1Score, MeanAbsoluteError,  # noqa: F401
                             MeanSquaredError, Metric, Precision, R2Score, Recall, RootMeanSquaredError,
                             SparseCategoricalAccuracy, TopKAccuracy, get_metric as get)

TopKCategoricalAccuracy = TopKAccuracy

__all__ = ["Metric", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
           "Precision", "Recall", "F1Score", "MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError",
           "R2Score", "get"]
