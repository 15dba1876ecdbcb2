"""Hebbian learning finds principal components: plain Hebb's weights blow up; Oja's rule keeps |w| = 1 and
turns to the first principal component; Sanger's rule finds the first three, in order, on the 8×8 digits —
each compared with the eigenvectors of the covariance matrix.

Run: python examples/classic_hebb_oja.py          (a few seconds)
"""
import numpy as np

from neuronet.data.datasets import load_digits
from neuronet.models.classic import Hebb, Oja


def main(epochs: int = 30):
    x, _ = load_digits()
    x = x.astype(np.float64)
    xc = x - x.mean(0)
    values, vectors = np.linalg.eigh(xc.T @ xc / len(x))
    top = vectors[:, ::-1][:, :3]
    hebb = Hebb(lr=0.001, epochs=3, seed=0).fit(xc)
    print(f"plain Hebb, |w| after each epoch: {np.round(hebb.history['norm'], 1).tolist()}  (no bound)")
    oja = Oja(1, lr=0.001, epochs=epochs, seed=0).fit(x)
    w = oja.components_[0]
    print(f"Oja: |w| = {np.linalg.norm(w):.4f}, |cos(w, PC1)| = {abs(w @ top[:, 0]) / np.linalg.norm(w):.5f}")
    sanger = Oja(3, lr=0.001, epochs=epochs, seed=0).fit(x)
    cos = np.abs(np.sum(sanger.components_ * top.T, axis=1)) / np.linalg.norm(sanger.components_, axis=1)
    print(f"Sanger, 3 components: |cos| with PC1..PC3 = {np.round(cos, 5).tolist()} "
          f"(eigenvalues {np.round(values[::-1][:3], 3).tolist()})")
    return cos


if __name__ == "__main__":
    main()
