"""Elementwise helpers shared by the energy-based models: stable sigmoid and softplus, sampling,
and input checks that name the model."""
from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "softplus", "bernoulli", "as_matrix", "check_binary"]


def sigmoid(x):
    """1 / (1 + e^-x), computed as ½(1 + tanh(x/2)) so that no exponential overflows (one new array)."""
    out = np.array(x, dtype=np.result_type(x, np.float32))
    out *= 0.5
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def softplus(x):
    """log(1 + e^x) without overflow."""
    return np.logaddexp(0.0, x)


def bernoulli(p, rng):
    """A 0/1 sample of each probability in ``p`` (same dtype as ``p``)."""
    if p.dtype in (np.float32, np.float64):  # uniforms drawn in p's own precision: half the work in float32
        return (rng.random(p.shape, dtype=p.dtype) < p).astype(p.dtype)
    return (rng.random(p.shape) < p).astype(p.dtype)


def as_matrix(owner: str, x, features: int | None, dtype) -> np.ndarray:
    """``x`` as a 2-D (samples, features) array of ``dtype``; a 1-D vector is one sample."""
    a = np.asarray(x, dtype=dtype)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(f"{owner}: expected input of shape (samples, features), received shape {np.shape(x)}")
    if features is not None and a.shape[1] != features:
        raise ValueError(f"{owner}: expected {features} features per sample, received shape {np.shape(x)}")
    return a


def check_binary(owner: str, x) -> None:
    """Raise ValueError unless every entry of ``x`` is 0 or 1."""
    if not np.isin(x, (0, 1)).all():
        raise ValueError(f"{owner}: expects binary input with values in {{0, 1}}, received values in "
                         f"[{float(np.min(x))}, {float(np.max(x))}] (binarise with x > 0.5)")
