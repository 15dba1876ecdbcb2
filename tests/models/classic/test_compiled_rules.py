"""The numba kernels of the online perceptron and online SOM give what their NumPy reference loops give."""
import numpy as np
import pytest

from neuronet.kernels import compiled
from neuronet.models.classic import SOM, Perceptron


def both(fit):
    """``fit()`` with the NumPy loops, then with the kernels."""
    compiled.set_numba_kernels(False)
    reference = fit()
    compiled.set_numba_kernels(True)
    return reference, fit()


@pytest.mark.parametrize("averaged, shuffle", [(False, False), (True, True)])
def test_perceptron_kernel_matches_numpy(kernels_on, averaged, shuffle):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(80, 5)), rng.integers(0, 3, 80)
    ref, fast = both(lambda: Perceptron(lr=0.3, epochs=6, averaged=averaged, shuffle=shuffle, seed=1,
                                        stop_when_separated=False).fit(x, y))
    assert fast.history["mistakes"] == ref.history["mistakes"]
    np.testing.assert_allclose(fast.weight, ref.weight, atol=1e-10)
    np.testing.assert_allclose(fast.bias, ref.bias, atol=1e-10)


@pytest.mark.parametrize("neighborhood, topology", [("gaussian", "rectangular"), ("bubble", "hexagonal")])
def test_som_kernel_matches_numpy(kernels_on, neighborhood, topology):
    x = np.random.default_rng(1).normal(size=(60, 4))
    ref, fast = both(lambda: SOM(4, 5, topology=topology, neighborhood=neighborhood, sigma=2.0, seed=0)
                     .fit(x, epochs=3, mode="online"))
    np.testing.assert_allclose(fast.weights, ref.weights, atol=1e-10)


@pytest.mark.parametrize("rule", ["sanger", "subspace"])
def test_hebbian_kernel_matches_numpy(kernels_on, rule):
    from neuronet.models.classic import Oja
    x = np.random.default_rng(2).normal(size=(70, 6))
    ref, fast = both(lambda: Oja(3, lr=0.01, epochs=3, rule=rule, seed=0).fit(x))
    np.testing.assert_allclose(fast.components_, ref.components_, atol=1e-10)
