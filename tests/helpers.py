"""Shared test helpers: float64 gradient checks and PyTorch parity in one call each."""
from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import neuronet as nt

#: Why a test skips when an optional dependency is missing, by top-level import name.
SKIP_REASONS = {
    "torch": "needs torch (the parity oracle): pip install torch==2.13.0",
    "sklearn": "needs scikit-learn (the reference implementation): pip install scikit-learn",
    "scipy": "needs scipy (a reference implementation): pip install scipy",
    "captum": "needs captum (the attribution oracle): pip install --no-deps captum",
    "shap": "needs shap (the Shapley-value oracle): pip install --no-deps shap slicer",
    "safetensors": "needs safetensors (the reference reader/writer): pip install safetensors",
    "matplotlib": "needs matplotlib (plots): pip install matplotlib",
    "numba": "needs numba (the compiled kernels): pip install numba",
    "cupy": "needs CuPy and a GPU (the GPU tests): pip install 'neuronet[cuda13]'",
    "threadpoolctl": "needs threadpoolctl (BLAS thread limits in the test): pip install threadpoolctl",
    "mpi4py": "needs mpi4py and an MPI (data-parallel tests): pip install mpi4py mpich",
    "onnx": "needs onnx (ONNX export): pip install onnx onnxruntime",
    "onnxruntime": "needs onnxruntime (runs the exported ONNX models): pip install onnxruntime",
    "h5py": "needs h5py (reads Keras weight files): pip install h5py",
    "keras": "needs Keras 3 (the reference for Keras files): pip install keras",
    "gensim": "needs gensim (the word2vec reference): pip install gensim",
    "tensorboardX": "needs tensorboardX (TensorBoard event files): pip install tensorboardX",
}


def need(module):
    """``module`` imported, or the calling test skipped with a reason that names the missing dependency.

    Tests take the ``torch`` fixture (tests/conftest.py) rather than calling this for torch."""
    __tracebackhide__ = True  # the skip is reported at the caller's line
    return pytest.importorskip(module, reason=SKIP_REASONS[module.split(".")[0]])


def assert_close(actual, expected, rtol=1e-5, what="value"):
    """|actual - expected| <= rtol * max(1, |expected|.max()) elementwise: relative to the array's scale."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=0, atol=rtol * scale, err_msg=what)


def check_grad(fn, *arrays, eps=1e-6, atol=1e-5, rtol=1e-3, requires_grad=None):
    """gradcheck ``fn`` on float64 tensors made from ``arrays`` (float arrays require grad)."""
    inputs = []
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        rg = a.dtype.kind == "f" if requires_grad is None else requires_grad[i]
        inputs.append(nt.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a, requires_grad=rg))
    assert nt.gradcheck(fn, *inputs, eps=eps, atol=atol, rtol=rtol)


def check_parity(nt_fn, torch_fn, *arrays, rtol=1e-5, grad=True, requires_grad=None, seed=0):
    """Same float32 inputs to neuronet and PyTorch: outputs and every input gradient must agree.

    ``arrays`` are NumPy arrays; floating ones require grad unless ``requires_grad`` says otherwise.
    Outputs may be a tensor or a tuple of tensors; the backward uses a fixed random cotangent.
    """
    torch = need("torch")  # tests that call this take the torch fixture: they skip before getting here
    rgs = [np.asarray(a).dtype.kind == "f" for a in arrays] if requires_grad is None else requires_grad
    nt_in = [nt.tensor(np.asarray(a), requires_grad=rg) for a, rg in zip(arrays, rgs)]
    t_in = [torch.tensor(np.asarray(a), requires_grad=rg) for a, rg in zip(arrays, rgs)]
    y = nt_fn(*nt_in)
    ty = torch_fn(*t_in)
    ys = y if isinstance(y, (tuple, list)) else (y,)
    tys = ty if isinstance(ty, (tuple, list)) else (ty,)
    assert len(ys) == len(tys)
    for k, (a, b) in enumerate(zip(ys, tys)):
        assert a.dtype == np.dtype(str(b.dtype).replace("torch.", "")), f"output {k} dtype {a.dtype} vs {b.dtype}"
        assert_close(a.numpy(), b.detach().numpy(), rtol, what=f"output {k}")
    if not grad:
        return
    rng = np.random.default_rng(seed)
    live = [(a, b) for a, b in zip(ys, tys) if a.requires_grad]
    cot = [rng.standard_normal(a.shape).astype(a.dtype) for a, _ in live]
    for (a, _), c in zip(live, cot):
        a.backward(c, retain_graph=True)
    torch.autograd.backward([b for _, b in live], [torch.tensor(c) for c in cot])
    for i, (a, b) in enumerate(zip(nt_in, t_in)):
        if not b.requires_grad:
            continue
        tg = b.grad.numpy() if b.grad is not None else np.zeros(b.shape, np.float32)
        ng = a.grad if a.grad is not None else np.zeros(a.shape, np.float32)
        assert ng.dtype == a.dtype, f"gradient of input {i} is {ng.dtype}, input is {a.dtype}"
        assert_close(ng, tg, rtol, what=f"gradient of input {i}")


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_example(name: str):
    """``examples/<name>.py`` imported as a module (the examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def kernels_set(enabled: bool):
    """The compiled kernels on (the test skips without numba) or off inside the block, and the
    process's previous setting after it: tests that compare the two paths in one test."""
    from neuronet.kernels import compiled
    if enabled:
        need("numba")
    was = compiled.numba_kernels_enabled()
    compiled.set_numba_kernels(enabled)
    try:
        yield
    finally:
        compiled.set_numba_kernels(was)
