"""Fixtures of the graph tests: PyTorch Geometric as the parity oracle (test-only), a random multigraph."""
import numpy as np
import pytest


@pytest.fixture(scope="session")
def pyg(torch):
    """torch_geometric, or the test skipped with the install command (it runs on the pinned CPU torch)."""
    return pytest.importorskip("torch_geometric", reason="needs PyTorch Geometric (the graph parity oracle): "
                                                         "pip install torch-geometric")


@pytest.fixture
def graph():
    """12 nodes, 40 random directed edges with repeats and self-loops, 5 features (float32)."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(12, 5)).astype(np.float32), rng.integers(0, 12, (2, 40))


from tests.data.conftest import ensure_dataset  # noqa: E402,F401  (fetch the Drosophila files or skip offline)
