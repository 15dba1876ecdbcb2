"""import neuronet fixes glibc's malloc thresholds unless the user chose them or turned it off."""
import os
import subprocess
import sys

import pytest

SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "NEURONET_MALLOC_TUNING")
glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc settings are Linux-only")


def described(**env):
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    code = "import neuronet, neuronet._malloc_tuning as m; print(m.state['applied'], m.describe())"
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@glibc_only
def test_import_applies_the_thresholds():
    line = described()
    assert line.startswith("True"), line
    assert "mmap threshold 32 MiB, trim threshold 64 MiB" in line


@glibc_only
@pytest.mark.parametrize("name", ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"])
def test_a_users_malloc_setting_wins(name):
    line = described(**{name: "131072"})
    assert line.startswith("False") and name in line, line


def test_it_can_be_turned_off():
    line = described(NEURONET_MALLOC_TUNING="0")
    assert line.startswith("False") and "NEURONET_MALLOC_TUNING=0" in line, line
