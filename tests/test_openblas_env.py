"""import neuronet defaults OPENBLAS_THREAD_TIMEOUT only when it can still take effect."""
import os
import subprocess
import sys


def printed(code, **env):
    """What ``code`` prints in a fresh interpreter whose environment holds no OPENBLAS_THREAD_TIMEOUT but ``env``'s."""
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def timeout_seen(code, **env):
    return printed(code + "; import os; print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))", **env)


def described(code, **env):
    return printed(code + "; from neuronet._openblas_env import describe; print(describe())", **env)


def test_import_sets_the_default_before_numpy_loads():
    from neuronet._openblas_env import OPENBLAS_THREAD_TIMEOUT
    assert OPENBLAS_THREAD_TIMEOUT == "20"  # spin ~0.4 ms, then sleep (the module's docstring says why)
    assert timeout_seen("import neuronet") == OPENBLAS_THREAD_TIMEOUT


def test_a_users_value_wins():
    assert timeout_seen("import neuronet", OPENBLAS_THREAD_TIMEOUT="9") == "9"


def test_nothing_is_set_once_numpy_is_loaded():
    assert timeout_seen("import numpy, neuronet") == "None"


def test_describe_says_who_chose_the_spin():
    """``neuronet info`` prints this line: the value and whether neuronet, the user or nobody set it."""
    assert described("import neuronet").startswith("OPENBLAS_THREAD_TIMEOUT=20 (import neuronet's default")
    assert described("import neuronet", OPENBLAS_THREAD_TIMEOUT="9").startswith(
        "OPENBLAS_THREAD_TIMEOUT=9 (set before import neuronet")
    assert described("import numpy, neuronet").startswith("OPENBLAS_THREAD_TIMEOUT unset")
