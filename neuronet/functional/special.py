"""The standard normal CDF Φ and its inverse Φ⁻¹ on NumPy or CuPy arrays (no SciPy): what the
truncated-normal initialiser and the quantile transform need."""
from __future__ import annotations

import math

from .activation import _erf

__all__ = ["normal_cdf", "normal_ppf"]

# Acklam's rational approximation of Φ⁻¹: numerator/denominator coefficients, centre (a, b) and tails (c, d)
_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
      -3.066479806614716e+01, 2.506628277459239e+00)
_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
      -1.328068155288572e+01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
      4.374664141464968e+00, 2.938163982698783e+00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
_LOW = 0.02425  # below this (and above 1 − this) the tail formula


def _polyval(coefs, t, xp):
    out = xp.zeros_like(t)
    for c in coefs:
        out = out * t + c
    return out


def normal_cdf(z, xp):
    """Φ(z) = ½(1 + erf(z/√2)) in float64."""
    z = xp.asarray(z, dtype=xp.float64)
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0), xp))


def normal_ppf(p, xp):
    """Φ⁻¹(p) in float64: Acklam's approximation (relative error < 1.2e-9) refined by one Halley
    step (< 1e-10 for 1e-7 <= p <= 1 − 1e-7); −∞ at p <= 0 and +∞ at p >= 1."""
    p = xp.asarray(p, dtype=xp.float64)
    q = xp.minimum(p, 1 - p)
    with _quiet(xp):
        t = xp.sqrt(-2 * xp.log(xp.where(q > 0, q, 1e-300)))
        tail = _polyval(_C, t, xp) / (_polyval(_D, t, xp) * t + 1)
        r = (p - 0.5) ** 2
        centre = (p - 0.5) * _polyval(_A, r, xp) / (_polyval(_B, r, xp) * r + 1)
        z = xp.where(q < _LOW, xp.where(p < 0.5, tail, -tail), centre)
        e = normal_cdf(z, xp) - p  # Halley: z -= u / (1 + z·u/2), u = e·√(2π)·exp(z²/2)
        u = e * math.sqrt(2 * math.pi) * xp.exp(z * z / 2)
        z = z - u / (1 + z * u / 2)
    return xp.where(p <= 0, -xp.inf, xp.where(p >= 1, xp.inf, z))


def _quiet(xp):
    return xp.errstate(divide="ignore", invalid="ignore", over="ignore") if hasattr(xp, "errstate") else _Null()


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
