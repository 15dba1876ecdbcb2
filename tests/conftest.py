import numpy as np
import pytest

import neuronet as nt


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same seed and the float32 default."""
    nt.manual_seed(0)
    nt.set_default_dtype(np.float32)
    yield
    nt.set_default_dtype(np.float32)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
