import sys

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import need


def pytest_configure(config):
    """One BLAS thread per test process: ``pytest -n 2`` already runs two processes on the two
    cores, and OpenBLAS threads on an oversubscribed machine spin instead of working (small
    products became up to 17x slower).  Tests that need more threads raise the limit themselves."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a NumPy-only install: neuronet's own OpenBLAS controller
        from neuronet.kernels.parallel import blas_controllers
        for controller in blas_controllers():
            controller.set_num_threads(1)
        return
    config._blas_limit = threadpool_limits(limits=1, user_api="blas")


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same seed and the float32 default — torch's too, once a test has
    loaded it: a parity test that builds a torch layer (PyTorch Geometric's GATConv, say) draws its
    weights from torch's generator, and unseeded it compared other weights on every run."""
    nt.manual_seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)
    nt.set_default_dtype(np.float32)
    yield
    nt.set_default_dtype(np.float32)


@pytest.fixture(autouse=True)
def _kernel_switch():
    """A test that turns the compiled kernels on or off leaves the switch as it found it, so that
    ``NEURONET_NUMBA=0 python -m pytest`` runs every other test on the NumPy path."""
    from neuronet.kernels import compiled
    saved = dict(compiled._state)
    yield
    compiled._state.clear()
    compiled._state.update(saved)


@pytest.fixture(autouse=True)
def _winograd_mode():
    """A test that calls ``set_winograd`` leaves the mode as it found it."""
    from neuronet.functional.conv_winograd import set_winograd
    previous = set_winograd("auto")
    set_winograd(previous)
    yield
    set_winograd(previous)


@pytest.fixture
def kernels_on():
    """Compiled kernels on for this test (numba must be installed), whatever NEURONET_NUMBA says."""
    from neuronet.kernels import compiled
    need("numba")
    compiled.set_numba_kernels(True)


@pytest.fixture
def kernels_off():
    """Compiled kernels off for this test: a test of the NumPy reference path's own details."""
    from neuronet.kernels import compiled
    compiled.set_numba_kernels(False)


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the parity oracle.  A test that compares with torch takes this fixture (or ``TF``) and skips, with
    a reason naming torch, where torch is not installed.  Float64 gradient checks are tests of their own that never
    touch torch, so the base install (NumPy only) runs them.  No test module imports torch: torch counterparts in
    parametrize lists and tables are looked up inside the test (an attribute name, a ``lambda torch: ...``, or a
    ``torch_...(torch)`` function that returns them by case name)."""
    return need("torch")


@pytest.fixture(scope="session")
def TF(torch):  # noqa: N802 - the usual alias of torch.nn.functional
    """torch.nn.functional; skips like ``torch``."""
    return torch.nn.functional


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
