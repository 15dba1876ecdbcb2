"""import neuronet defaults OPENBLAS_THREAD_TIMEOUT only when it can still take effect."""
import os
import subprocess
import sys


def timeout_seen(code, **env):
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run([sys.executable, "-c", code + "; import os; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"],
                         env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_import_sets_the_default_before_numpy_loads():
    from neuronet._openblas_env import OPENBLAS_THREAD_TIMEOUT
    assert OPENBLAS_THREAD_TIMEOUT == "20"  # spin ~0.4 ms, then sleep (the module's docstring says why)
    assert timeout_seen("import neuronet") == OPENBLAS_THREAD_TIMEOUT


def test_a_users_value_wins():
    assert timeout_seen("import neuronet", OPENBLAS_THREAD_TIMEOUT="9") == "9"


def test_nothing_is_set_once_numpy_is_loaded():
    assert timeout_seen("import numpy, neuronet") == "None"
