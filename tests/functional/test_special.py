"""Φ and Φ⁻¹ without SciPy, against SciPy's."""
import numpy as np
import pytest

from neuronet.functional.special import normal_cdf, normal_ppf


def test_normal_ppf_and_cdf_against_scipy():
    stats = pytest.importorskip("scipy.stats", reason="needs scipy (the reference): pip install scipy")
    p = np.concatenate([np.logspace(-7, -1, 40), np.linspace(0.05, 0.95, 41), 1 - np.logspace(-7, -1, 20)])
    np.testing.assert_allclose(normal_ppf(p, np), stats.norm.ppf(p), rtol=1e-9, atol=1e-12)
    far = np.logspace(-12, -7, 20)       # outside the documented range: Acklam's 1e-6 is left
    np.testing.assert_allclose(normal_ppf(far, np), stats.norm.ppf(far), rtol=1e-6)
    z = np.linspace(-8, 8, 81)
    np.testing.assert_allclose(normal_cdf(z, np), stats.norm.cdf(z), rtol=1e-12, atol=1e-15)
    assert normal_ppf(np.array([0.0, 1.0]), np).tolist() == [-np.inf, np.inf]
