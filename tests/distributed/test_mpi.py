"""Data-parallel training over MPI: R ranks take the same steps as one process on whole batches.

Each test starts ``mpiexec -n 2`` on this machine (mpich from the test extra) and compares with
the same script run as one process."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import need

need("mpi4py")
SCRIPT = Path(__file__).with_name("ranks_script.py")
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("no mpiexec: pip install mpich", allow_module_level=True)
ROOT = Path(__file__).resolve().parents[2]


def run(mode, out, ranks, timeout=120):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cmd = [sys.executable, str(SCRIPT), mode, str(out)]
    if ranks > 1:
        cmd = [MPIEXEC, "-n", str(ranks)] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)


def result(mode, tmp_path, ranks):
    out = tmp_path / f"{mode}-{ranks}.json"
    proc = run(mode, out, ranks)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("mode", ["fit", "loop"])
def test_two_ranks_take_the_steps_of_one_process(tmp_path, mode):
    one, two = result(mode, tmp_path, 1), result(mode, tmp_path, 2)
    assert (one["size"], two["size"]) == (1, 2)
    np.testing.assert_allclose(two["params"], one["params"], rtol=1e-5, atol=1e-6)
    if mode == "fit":   # the epoch logs are averaged over the ranks, weighted by their rows
        for key in ("loss", "accuracy"):
            np.testing.assert_allclose(two["history"][key], one["history"][key], rtol=1e-5)
    else:
        assert two["buckets"] > 1


def test_synchronised_batch_norm_on_two_ranks_is_batch_norm_on_the_whole_batch(tmp_path):
    one, two = result("plainbn", tmp_path, 1), result("syncbn", tmp_path, 2)
    assert "SyncBatchNorm" in two["types"] and "BatchNorm2D" not in two["types"]
    np.testing.assert_allclose(two["params"], one["params"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(two["buffers"], one["buffers"], rtol=1e-4, atol=1e-5)
    plain = result("plainbn", tmp_path, 2)  # each rank's own rows: not what one process computes
    assert not np.allclose(plain["params"], one["params"], rtol=1e-4, atol=1e-5)


def test_a_checkpoint_written_by_two_ranks_resumes_in_one_process(tmp_path):
    two = result("checkpoint", tmp_path, 2)
    path = tmp_path / "checkpoint-2.json.nnet"
    restored = nt.load_model(path)
    np.testing.assert_allclose(np.concatenate([p.data.ravel() for p in restored.parameters()]),
                               two["params"], rtol=0, atol=0)
    assert restored.epochs_done == 2
    from tests.distributed.ranks_script import data, flat, model
    x, y = data(128)
    restored.fit(x, y, batch_size=32, epochs=4, initial_epoch=2, shuffle=False, verbose=0)
    straight = model()                          # the same four epochs in one process, uninterrupted
    straight.fit(x, y, batch_size=32, epochs=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(flat(restored), flat(straight), rtol=1e-5, atol=1e-6)


def test_a_failing_rank_ends_the_job_instead_of_hanging(tmp_path):
    proc = run("fail", tmp_path / "fail.json", 2, timeout=60)
    assert proc.returncode != 0
    assert "rank 1 breaks on purpose" in proc.stderr and "rank 1 failed; aborting the job" in proc.stderr
