"""Rosenblatt's perceptron and Widrow–Hoff's ADALINE on Iris: mistakes per epoch until the separable pair
(setosa vs versicolor, sepal length/width) is separated, the decision boundary after each epoch, and the
ADALINE's squared error falling to the least-squares optimum (online LMS and batch).

Run: python examples/classic_perceptron_adaline.py [OUT_DIR]    (a few seconds; writes perceptron_boundaries.png)
"""
import sys

import numpy as np

from neuronet.data.datasets import load_iris
from neuronet.models.classic import Adaline, Perceptron


def main(out: str = "."):
    x, y = load_iris()
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float64)
    two = y < 2
    sepals, setosa = x[two][:, :2], (y[two] == 0).astype(int)
    p = Perceptron(epochs=50).fit(sepals, setosa)
    print(f"perceptron, setosa vs versicolor: mistakes per epoch {p.history['mistakes']} "
          f"(separated after epoch {p.converged_epoch})")
    try:
        from neuronet.viz import save_decision_boundaries
        print("wrote", save_decision_boundaries(p.history["weights"], sepals, setosa, f"{out}/perceptron_boundaries.png"))
    except ImportError as error:
        print(f"picture skipped: {error}")
    t = np.where(setosa == 1, 1.0, -1.0)
    optimum = np.linalg.lstsq(np.hstack([sepals, np.ones((len(t), 1))]), t, rcond=None)[0]
    best_mse = float(np.mean((np.hstack([sepals, np.ones((len(t), 1))]) @ optimum - t) ** 2))
    online = Adaline(lr=0.01, epochs=20, mode="online").fit(sepals, t)
    batch = Adaline(lr=0.5, epochs=100, mode="batch").fit(sepals, t)
    print(f"ADALINE online MSE by epoch {np.round(online.history['mse'][:5], 4).tolist()} ... "
          f"{online.history['mse'][-1]:.4f}; batch {batch.history['mse'][-1]:.4f}; least squares {best_mse:.4f}")
    acc = float(np.mean(batch.predict(sepals) == t))
    print(f"ADALINE (batch) training accuracy {acc:.3f}")
    return p.converged_epoch, batch.history["mse"][-1] - best_mse, acc


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
