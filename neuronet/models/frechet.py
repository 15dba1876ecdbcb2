"""Sample quality measured with a classifier: the Fréchet distance between the feature statistics
of two image sets (FID, Heusel et al. 2017, with a neuronet classifier in place of Inception) and
the classifier's inception-style score exp E_x KL(p(y|x) ‖ p(y)) (Salimans et al. 2016).

FID = ‖μ_a − μ_b‖² + tr(C_a + C_b − 2 (C_a C_b)^{1/2}); 0 for identical statistics.  The numbers
depend on the classifier and the sample sizes: compare only numbers computed with the same
scorer and the same counts (``neuronet.recipes.generative.fashion_scorer`` is the reproducible one).
"""
from __future__ import annotations

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..tensor import Tensor

__all__ = ["frechet_distance", "inception_score", "SampleScorer"]


def _sqrt_psd(c):
    vals, vecs = np.linalg.eigh(c)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def frechet_distance(features_a, features_b) -> float:
    """The Fréchet distance between Gaussians fitted to two (N, D) feature sets (float64 arithmetic).

    tr (C_a C_b)^{1/2} is computed as tr (C_a^{1/2} C_b C_a^{1/2})^{1/2}, the square root of a
    symmetric positive semi-definite matrix, so no complex parts appear.

    Example:
        >>> a = np.random.default_rng(0).normal(size=(2000, 2))
        >>> round(nt.models.frechet_distance(a, a), 6), round(nt.models.frechet_distance(a, a + [3.0, 4.0]), 1)  # |shift|^2
        (0.0, 25.0)
    """
    a, b = (np.asarray(f, np.float64) for f in (features_a, features_b))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"frechet_distance: expected two (N, D) feature sets with the same D and N >= 2, got "
                         f"{a.shape} and {b.shape}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    sa = _sqrt_psd(ca)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(sa @ cb @ sa), 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * cross)


def inception_score(probs, splits: int = 1) -> float:
    """exp(E_x KL(p(y|x) ‖ p(y))) from (N, classes) class probabilities, averaged over ``splits``
    equal parts: between 1 (every image gets the same prediction) and the number of classes
    (confident predictions, every class equally often).

    Example:
        >>> round(nt.models.inception_score(np.eye(10)), 6)  # confident and diverse: the maximum, 10 classes
        10.0
        >>> round(nt.models.inception_score(np.full((10, 10), 0.1)), 6)  # uniform: the minimum
        1.0
    """
    p = np.asarray(probs, np.float64)
    if p.ndim != 2 or len(p) < splits:
        raise ValueError(f"inception_score: expected (N, classes) probabilities with N >= splits={splits}, got {p.shape}")
    scores = []
    for part in np.array_split(p, splits):
        py = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(py + 1e-12))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores))


class SampleScorer:
    """Features and class probabilities of images from a trained classifier (an ``nt.Sequential``
    whose last layer gives the logits; the features are the input of that last layer).

    Example:
        >>> classifier = nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(16, activation="relu"), nt.nn.Dense(10)])
        >>> scorer = nt.models.SampleScorer(classifier)
        >>> images = np.random.rand(50, 1, 8, 8).astype(np.float32)
        >>> scorer.features(images).shape, round(scorer.fid(images, images), 4)
        ((50, 16), 0.0)
    """

    def __init__(self, classifier, batch_size: int = 500):
        self.classifier = classifier
        self.batch_size = int(batch_size)

    def _run(self, x):
        layers = list(self.classifier)
        model = self.classifier
        was = model.training
        model.eval()
        feats, logits = [], []
        try:
            with no_grad():
                for s in range(0, len(x), self.batch_size):
                    h = Tensor(np.asarray(x[s:s + self.batch_size], backend.get_default_dtype()))
                    for layer in layers[:-1]:
                        h = layer(h)
                    feats.append(h.numpy().reshape(h.shape[0], -1))
                    logits.append(layers[-1](h).numpy())
        finally:
            model.train(was)
        return np.concatenate(feats), np.concatenate(logits)

    def features(self, x):
        """(N, D) activations entering the classifier's last layer."""
        return self._run(x)[0]

    def probabilities(self, x):
        """(N, classes) softmax of the classifier's logits."""
        z = self._run(x)[1].astype(np.float64)
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)

    def fid(self, images, reference) -> float:
        """The Fréchet distance between ``images`` and ``reference`` in this classifier's feature space."""
        return frechet_distance(self.features(images), self.features(reference))

    def inception_score(self, images, splits: int = 1) -> float:
        return inception_score(self.probabilities(images), splits)
