"""Saved files get the permissions of any file the user writes (0o666 less the umask), and the
atomic write leaves nothing beside them."""
import os
import stat

import numpy as np
import pytest

import neuronet as nt


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("name", ["w.safetensors", "w.npz"])
def test_saved_files_follow_the_umask(tmp_path, umask, mode, name):
    old = os.umask(umask)
    try:
        nt.save({"a": np.ones(3, np.float32)}, tmp_path / name)
        model = nt.Sequential([nt.nn.Dense(2)])
        model(nt.tensor(np.ones((1, 3), np.float32)))
        model.save(tmp_path / "model.safetensors")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "model.safetensors").stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "model.safetensors"])
