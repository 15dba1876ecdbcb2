"""Which BLAS library, version and CPU kernel NumPy and PyTorch use in this process.

Benchmarks of a NumPy library against PyTorch mostly compare two BLAS builds, so every
report starts by naming them: NumPy's comes from ``threadpoolctl.threadpool_info()``
(OpenBLAS reports the kernel it picked as ``architecture``), PyTorch's from
``torch.__config__.show()`` (MKL/oneDNN versions, ATen's CPU capability).
"""
from __future__ import annotations

import os
import platform
import re

OPENBLAS_TUNING_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def numpy_blas() -> list[dict]:
    """The BLAS libraries loaded for NumPy: internal_api, version, architecture, threads, file."""
    import numpy  # noqa: F401  (loads NumPy's BLAS so threadpoolctl can see it)
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "threading_layer", "num_threads", "filepath")
    return [{k: info.get(k) for k in keys} for info in threadpool_info() if info.get("user_api") == "blas"]


def torch_blas() -> dict:
    """PyTorch's BLAS (from its build settings), MKL and oneDNN versions and ATen's CPU kernel level."""
    import torch

    shown = torch.__config__.show()
    settings = dict(re.findall(r"(\w+)=([^,\n]*)", shown))
    mkl = re.search(r"Math Kernel Library Version ([^\n]+)", shown)
    onednn = re.search(r"MKL-DNN (v[\d.]+)", shown)
    return {
        "version": torch.__version__,
        "blas": settings.get("BLAS_INFO"),
        "lapack": settings.get("LAPACK_INFO"),
        "mkl_version": mkl.group(1).strip() if mkl else None,
        "onednn_version": onednn.group(1) if onednn else None,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "mkl_available": torch.backends.mkl.is_available(),
        "mkldnn_available": torch.backends.mkldnn.is_available(),
        "num_threads": torch.get_num_threads(),
    }


def machine() -> dict:
    """CPU model, logical CPU count, OS and Python version."""
    model = platform.processor() or None
    try:
        with open("/proc/cpuinfo") as f:
            found = re.search(r"model name\s*:\s*(.+)", f.read())
        model = found.group(1).strip() if found else model
    except OSError:
        pass
    return {"cpu": model, "logical_cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version()}


def describe_numpy(entries: list[dict]) -> str:
    """One line per NumPy BLAS, e.g. 'openblas 0.3.31 kernel SkylakeX (pthreads)'."""
    if not entries:
        return "no BLAS found by threadpoolctl"
    return "; ".join(f"{e['internal_api']} {e['version']} kernel {e.get('architecture') or '?'} "
                     f"({e.get('threading_layer') or '?'})" for e in entries)


def describe_torch(info: dict) -> str:
    return (f"torch {info['version']}: BLAS {info['blas']} (MKL {info['mkl_version']}), "
            f"oneDNN {info['onednn_version']}, ATen CPU capability {info['cpu_capability']}")
