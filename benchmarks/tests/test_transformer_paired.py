"""Smoke test of benchmarks/transformer_paired.py: it runs and prints its lines (no timing assertions)."""
import pytest

from benchmarks import transformer_paired

pytest.importorskip("torch")
pytest.importorskip("threadpoolctl")


@pytest.mark.parametrize("args,expected", [
    (["--rounds", "1", "--calls", "1", "--profile", "3"], "neuronet ÷ torch"),
    (["--rounds", "1", "--calls", "1", "--profile", "0", "--compare-kernels"], "with kernels"),
    (["--rounds", "1", "--calls", "1", "--profile", "0", "--train", "transformer"], "transformer, 1 thread"),
])
def test_paired_timing_runs(args, expected, capsys):
    if "--compare-kernels" in args:
        pytest.importorskip("numba")
    transformer_paired.main(args)
    out = capsys.readouterr().out
    assert expected in out and "load average after" in out
