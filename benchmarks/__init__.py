"""neuronet vs PyTorch CPU: training and inference throughput, memory and GEMM efficiency.

Run ``python -m benchmarks --help``; ``benchmarks/README.md`` explains what is measured.
This file imports nothing heavy on purpose: ``python -m benchmarks`` must be able to clean
the OpenBLAS environment variables and re-execute itself before NumPy is loaded.
"""
