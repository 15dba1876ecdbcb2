"""NumPy's OpenBLAS thread count through ctypes, used when threadpoolctl is not installed."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.helpers import need

from neuronet.kernels.openblas_threads import find_openblas

NUMPY_USES_OPENBLAS = "openblas" in json.dumps(np.show_config(mode="dicts").get("Build Dependencies", {})).lower()
pytestmark = pytest.mark.skipif(not NUMPY_USES_OPENBLAS, reason="NumPy is not built with OpenBLAS here")


def test_finds_numpys_openblas_and_switches_its_threads():
    controllers = find_openblas()
    assert controllers, "NumPy's OpenBLAS was not found"
    blas = controllers[0]
    before = blas.num_threads
    assert before >= 1
    try:
        blas.set_num_threads(1)
        assert blas.num_threads == 1
        a = np.ones((300, 300), np.float32)
        np.testing.assert_array_equal(a @ a, np.full((300, 300), 300, np.float32))
    finally:
        blas.set_num_threads(before)
    assert blas.num_threads == before


def test_agrees_with_threadpoolctl():
    threadpoolctl = need("threadpoolctl")
    ours = find_openblas()[0]
    theirs = [c for c in threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
              if os.path.realpath(c.filepath) == os.path.realpath(ours.filepath)]
    assert theirs, (ours.filepath, threadpoolctl.threadpool_info())
    assert ours.num_threads == theirs[0].num_threads
    assert ours.architecture.lower() == (theirs[0].architecture or "").lower()


def test_small_products_run_on_one_thread_without_threadpoolctl(tmp_path):
    """With threadpoolctl hidden, neuronet's thread control still works (one thread inside
    ``single_threaded_blas``, the previous count after)."""
    code = """
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "threadpoolctl":
            raise ImportError("hidden")
sys.meta_path.insert(0, Hide())
from neuronet.kernels import parallel
outside = parallel.blas_thread_count()
with parallel.single_threaded_blas():
    inside = parallel.blas_thread_count()
print(outside, inside, parallel.blas_thread_count(), type(parallel.blas_controllers()[0]).__name__)
"""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "1", "2", "OpenBLASThreads"]
