"""What a fresh install promises: ``import neuronet`` needs NumPy alone and loads no optional
dependency, every module but the numba kernels imports without them, training and the CLI run on
the NumPy path, and numba's compiled kernels are cached outside the (possibly read-only) package.

Each check runs in a fresh interpreter, so what the test process already imported cannot hide a
missing import."""
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import neuronet
from tests.helpers import need

ROOT = Path(neuronet.__file__).resolve().parent.parent
OPTIONAL = ("numba", "llvmlite", "torch", "tqdm", "matplotlib", "threadpoolctl", "safetensors", "cupy", "mpi4py",
            "pandas", "onnx", "onnxruntime", "jax", "h5py", "scipy", "sklearn", "tensorboardX", "IPython")
# The only modules allowed to import an optional dependency at their top: the numba kernels,
# imported by the ops only after neuronet.kernels.compiled said numba is there.
NUMBA_MODULES = {f"neuronet.kernels.{name}" for name in
                 ("activation", "adam", "classic", "conv", "conv_strided", "graph", "layer_norm", "normalization",
                  "numba_sgemm", "recurrent", "recurrent_gru", "sgd", "softmax", "softmax_ce", "unsigned", "winograd",
                  "word2vec")}

HIDE_OPTIONAL = f"""
import importlib.abc, sys
class HideOptional(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {OPTIONAL!r}:
            raise ImportError(name + " is hidden: a NumPy-only install")
sys.meta_path.insert(0, HideOptional())
"""


def run_python(code: str, cwd, env_update=None, remove_env=()) -> str:
    """Run ``code`` in a fresh interpreter; return its stdout, failing the test with its stderr."""
    env = {k: v for k, v in os.environ.items() if k not in remove_env}
    env.setdefault("PYTHONPATH", str(ROOT))
    env.update(env_update or {})
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_import_neuronet_loads_no_optional_dependency(tmp_path):
    out = run_python("import sys, json, neuronet\n"
                     f"print(json.dumps(sorted(m for m in {OPTIONAL!r} if m in sys.modules)))", tmp_path)
    assert json.loads(out.splitlines()[-1]) == []


def test_every_module_but_the_numba_kernels_imports_with_numpy_alone(tmp_path):
    out = run_python(HIDE_OPTIONAL + """
import importlib, json, pkgutil, neuronet
failed = {}
for m in pkgutil.walk_packages(neuronet.__path__, "neuronet."):
    if not m.name.endswith("__main__"):
        try:
            importlib.import_module(m.name)
        except ImportError as e:
            failed[m.name] = str(e)
print(json.dumps(failed))
""", tmp_path)
    failed = json.loads(out.splitlines()[-1])
    assert set(failed) == NUMBA_MODULES, failed


def test_training_saving_and_the_cli_run_with_numpy_alone(tmp_path):
    """Layers that have compiled kernels (dense + ReLU, conv + pool, batch norm, LSTM, Adam) train on
    the NumPy path; save/load works without the safetensors package; ``neuronet train xor`` runs."""
    out = run_python(HIDE_OPTIONAL + f"""
import numpy as np, neuronet as nt
from neuronet.cli import main
from neuronet.kernels import compiled
assert not compiled.numba_kernels_enabled() and "numba is not installed" in compiled.describe()
rng = np.random.default_rng(0)
images = rng.random((16, 1, 12, 12)).astype("float32")
cnn = nt.Sequential([nt.nn.Conv2D(4, 3), nt.nn.BatchNorm2D(), nt.nn.ReLU(), nt.nn.MaxPool2D(2), nt.nn.Flatten(),
                     nt.nn.Dense(8, activation="relu"), nt.nn.Dense(2)])
cnn.compile(optimizer="adam", loss="cross_entropy")
first = cnn.evaluate(images, np.arange(16) % 2, verbose=0)["loss"]
cnn.fit(images, np.arange(16) % 2, epochs=30, batch_size=16, verbose=0)
assert cnn.evaluate(images, np.arange(16) % 2, verbose=0)["loss"] < first
tokens = rng.integers(0, 20, (8, 6))
rnn = nt.Sequential([nt.nn.Embedding(20, 4), nt.nn.LSTM(5), nt.nn.Dense(2)])
rnn.compile(optimizer="adam", loss="cross_entropy")
rnn.fit(tokens, np.arange(8) % 2, epochs=2, verbose=0)
cnn.save({str(tmp_path / 'cnn.safetensors')!r})
again = nt.load_model({str(tmp_path / 'cnn.safetensors')!r})
np.testing.assert_array_equal(again.predict(images), cnn.predict(images))
assert main(["train", "xor", "--quiet", "--out", {str(tmp_path / 'xor')!r}]) == 0
print("ok")
""", tmp_path)
    assert out.splitlines()[-1] == "ok"
    assert (tmp_path / "xor").is_dir()


def test_winograd_runs_with_numpy_alone(tmp_path):
    """set_winograd('always') takes the NumPy implementation forward and backward without numba."""
    out = run_python(HIDE_OPTIONAL + """
import numpy as np, neuronet as nt
from neuronet.functional.conv_winograd import set_winograd
set_winograd("always")
rng = np.random.default_rng(0)
x = nt.tensor(rng.random((2, 3, 6, 6)).astype("float32"), requires_grad=True)
w = nt.tensor(rng.random((4, 3, 3, 3)).astype("float32"), requires_grad=True)
nt.F.conv2d(x, w, padding=1, activation="relu").sum().backward()
assert x.grad.shape == (2, 3, 6, 6) and w.grad.shape == (4, 3, 3, 3)
print("ok")
""", tmp_path)
    assert out.splitlines()[-1] == "ok"


def _writable(path: Path, on: bool) -> None:
    for p in [path, *path.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode | stat.S_IWUSR if on else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


KERNEL_RUN = """
import numpy as np, neuronet as nt
from neuronet.kernels import compiled
assert compiled.numba_kernels_enabled(), compiled.describe()
p = nt.nn.Parameter(np.ones((4, 3), np.float32))
p.grad = np.ones((4, 3), np.float32)
nt.optim.Adam([p], lr=0.1).step()
print(compiled.numba_cache_dir())
"""


def test_compiled_kernels_cache_outside_a_read_only_package(tmp_path):
    """numba's cache goes to ~/.cache/neuronet/numba (here under XDG_CACHE_HOME), not beside the sources."""
    need("numba")
    site = tmp_path / "site"
    shutil.copytree(ROOT / "neuronet", site / "neuronet", ignore=shutil.ignore_patterns("__pycache__"))
    _writable(site, False)
    try:
        out = run_python(KERNEL_RUN, tmp_path, {"PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")},
                         remove_env=("NUMBA_CACHE_DIR", "NEURONET_NUMBA"))
    finally:
        _writable(site, True)
    cache = tmp_path / "cache" / "neuronet" / "numba"
    assert Path(out.splitlines()[-1]) == cache
    assert list(cache.rglob("*.nbi")), "no kernel was cached"
    assert not [p for p in site.rglob("*") if p.suffix in (".nbi", ".nbc")], "numba wrote beside the sources"


def test_a_users_numba_cache_dir_is_kept(tmp_path):
    need("numba")
    out = run_python(KERNEL_RUN, tmp_path, {"NUMBA_CACHE_DIR": str(tmp_path / "mine")}, remove_env=("NEURONET_NUMBA",))
    assert Path(out.splitlines()[-1]) == tmp_path / "mine"
    assert list((tmp_path / "mine").rglob("*.nbi"))
