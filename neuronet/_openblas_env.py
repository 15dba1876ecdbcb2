"""OpenBLAS settings that only take effect when they are in the environment before NumPy loads.

After a multi-threaded product, OpenBLAS's idle worker threads spin for 2^28 TSC cycles (~0.1 s)
before sleeping, and sleeping workers must be woken for the next product.  Both ends cost:
neuronet runs convolution and pooling chunks on its own threads right after such products, and
workers spinning for 0.1 s take the very cores those chunks need (measured on a 2-core AMD EPYC:
a LeNet training step 5.0 ms at 2 threads against 4.6 at 1, the wide CNN 136 ms; with workers
that sleep at once, ``OPENBLAS_THREAD_TIMEOUT=4``, 4.0 ms and 94 ms); but on a 2-core Xeon VM
waking a sleeping worker costs so much that an MLP step at 2 threads took 0.93 ms with ``4``
against 0.75 ms with the default.  ``20`` (2^20 cycles, about 0.4 ms: longer than the gaps
between an MLP step's products, far shorter than a convolution's chunk work) takes the better
side of each: on the Xeon VM at 2 threads (ratio to torch, ``python -m benchmarks --threads 2
--no-jax``, one run per value) the MLP batch 64 went 0.78 (4) → 0.97 (20) against 0.98 (default),
its inference at batch 256 0.66 → 0.78 (0.79), while the wide CNN kept 1.17 (1.22 with 4, 0.76 with
the default), the LSTM 0.89 (0.91, 0.80) and the DCGAN 0.74 (0.74, 0.51).  So ``import neuronet``
sets it, as a default (a value already in the environment wins), when NumPy is not loaded yet;
users who import NumPy first can export it themselves.  Pure standard library: importing this
must not load NumPy.
"""
from __future__ import annotations

import os
import sys

OPENBLAS_THREAD_TIMEOUT = "20"
_state = {"set_by_neuronet": False}


def configure_openblas() -> None:
    """Default ``OPENBLAS_THREAD_TIMEOUT`` while NumPy (hence OpenBLAS) is not loaded yet.

    Example:
        >>> import os
        >>> nt.configure_openblas()  # a no-op once NumPy is loaded, as it is here
        >>> "OPENBLAS_THREAD_TIMEOUT" in os.environ or "numpy" in __import__("sys").modules
        True
    """
    if "numpy" not in sys.modules:
        _state["set_by_neuronet"] = "OPENBLAS_THREAD_TIMEOUT" not in os.environ
        os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", OPENBLAS_THREAD_TIMEOUT)


def describe() -> str:
    """One line for reports: the idle OpenBLAS workers' spin and who chose it."""
    value = os.environ.get("OPENBLAS_THREAD_TIMEOUT")
    if value is None:
        return "OPENBLAS_THREAD_TIMEOUT unset (NumPy loaded before neuronet): idle OpenBLAS workers spin ~0.1 s"
    who = "import neuronet's default" if _state["set_by_neuronet"] else "set before import neuronet"
    return f"OPENBLAS_THREAD_TIMEOUT={value} ({who}; idle OpenBLAS workers spin 2^{value} cycles, then sleep)"
