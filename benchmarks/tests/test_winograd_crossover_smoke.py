"""Smoke test of the Winograd crossover table: one tiny run prints a row per size and channel count
(no timing assertions), and the script refuses to run without the compiled kernels."""
import pytest

from benchmarks import winograd_crossover

pytest.importorskip("numba")
pytest.importorskip("threadpoolctl")


def test_tiny_run_prints_a_row_per_size_and_channel_count(capsys):
    winograd_crossover.main(["--sizes", "4,3", "--channels", "2,3", "--batch", "2", "--repetitions", "1"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "×" in line]
    assert [row.split(" | ")[:2] for row in rows] == [["| 4×4", "2"], ["| 4×4", "3"], ["| 3×3", "2"], ["| 3×3", "3"]]
    assert all(float(row.split(" | ")[4].rstrip(" |")) > 0 for row in rows)


def test_it_refuses_to_run_without_the_compiled_kernels(capsys):
    from neuronet.kernels import compiled
    was = compiled.numba_kernels_enabled()
    compiled.set_numba_kernels(False)
    try:
        with pytest.raises(SystemExit):
            winograd_crossover.main(["--sizes", "4", "--channels", "2"])
    finally:
        compiled.set_numba_kernels(was)
    assert "compiled kernels are off" in capsys.readouterr().err
