"""OpenBLAS settings that only take effect when they are in the environment before NumPy loads.

After a multi-threaded product, OpenBLAS's idle worker threads spin for about 2^28 cycles (~0.1 s)
before sleeping.  neuronet runs convolution and pooling chunks on its own threads right after
such products, and the spinning workers take the very cores those chunks need: measured on 2
cores, a LeNet training step took 5.0 ms at 2 threads against 4.6 ms at 1, and the wide CNN
benchmark 136 ms; with ``OPENBLAS_THREAD_TIMEOUT=4`` (sleep almost at once) they took 4.0 ms and
94 ms, and an MLP step 0.66 ms instead of 0.83.  So ``import neuronet`` sets it, as a default
(a value already in the environment wins), when NumPy is not loaded yet; users who import NumPy
first can export it themselves.  Pure standard library: importing this must not load NumPy.
"""
from __future__ import annotations

import os
import sys

OPENBLAS_THREAD_TIMEOUT = "4"


def configure_openblas() -> None:
    """Default ``OPENBLAS_THREAD_TIMEOUT`` while NumPy (hence OpenBLAS) is not loaded yet.

    Example:
        >>> import os
        >>> nt.configure_openblas()  # a no-op once NumPy is loaded, as it is here
        >>> "OPENBLAS_THREAD_TIMEOUT" in os.environ or "numpy" in __import__("sys").modules
        True
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", OPENBLAS_THREAD_TIMEOUT)
