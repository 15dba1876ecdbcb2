"""Smoke test of the benchmark harness: one tiny run, the report's structure, every workload built and
stepped in both frameworks from the same weights, no timing assertions."""
import json

import numpy as np
import pytest

from benchmarks.harness import SCHEMA, Settings, run_suite
from benchmarks.memory import measure
from benchmarks.report import render
from benchmarks.sessions import neuronet_session, torch_session
from benchmarks.workloads import ALL, BY_NAME, Workload, copy_weights, require, select
from benchmarks.workloads.base import features

from .tiny import classes, tiny

torch = pytest.importorskip("torch")
pytest.importorskip("threadpoolctl")

TINY = dict(threads=[1], repetitions=1, warmup_steps=1, target_seconds=0.0, settle_seconds=0.0, memory=False,
            gemm_size=64, jax=False)  # JAX has its own tests (test_jax_rival.py)


def _needs_missing_layer(nt):
    return require(nt, "nn.NoSuchLayer")()


def test_one_small_workload_gives_a_complete_json_report():
    report = run_suite([BY_NAME["mlp-b64"]], Settings(**TINY), command=["test"])
    report = json.loads(json.dumps(report))  # the report must be plain JSON
    assert report["schema"] == SCHEMA
    assert {"machine", "versions", "blas", "gemm_peak", "results", "memory", "settings"} <= set(report)
    assert report["blas"]["numpy"] and report["blas"]["torch"]["version"] == torch.__version__
    assert [p["threads"] for p in report["gemm_peak"]] == [1]
    (result,) = report["results"]
    assert result["status"] == "ok", result["reason"]
    assert (result["workload"], result["threads"], result["mode"], result["batch"]) == ("mlp-b64", 1, "train", 64)
    for side in ("neuronet", "torch"):
        stats = result[side]["samples_per_s"]
        assert len(result[side]["repetitions"]) == 1 and result[side]["steps_per_repetition"] == 1
        assert 0 < stats["min"] <= stats["median"] <= stats["max"]
    assert result["ratio"] == pytest.approx(result["neuronet"]["samples_per_s"]["median"]
                                            / result["torch"]["samples_per_s"]["median"])
    # torch got neuronet's initial weights, so the first forward passes agree
    assert result["weights_copied"] and result["initial_output_rel_diff"] < 1e-5
    forward = 2 * (784 * 256 + 256 * 128 + 128 * 10)
    assert result["gflops"]["flops_per_sample"] == 3 * forward - 2 * 784 * 256  # no input gradient for layer 1
    assert "| mlp-b64 | 1 |" in render(report)


def _relative(ours, theirs):
    return float(np.max(np.abs(ours - theirs)) / max(float(np.max(np.abs(theirs))), 1e-12))


@pytest.mark.parametrize("name", [w.name for w in ALL if w.make_step is None])
def test_every_workload_takes_the_same_step_in_both_frameworks(name):
    """The harness's own sessions, from neuronet's initial weights copied into torch: same first output and
    loss, and (training workloads) the same output again after one optimizer step."""
    import neuronet as nt

    workload = tiny(name)
    x, y = workload.make_inputs(None)
    ours = neuronet_session(workload, x, y, seed=0)
    theirs, note = torch_session(workload, x, y, seed=0, weights_from=ours.model)
    assert note is None
    assert ours.first_output.shape == theirs.first_output.shape == (workload.batch, classes(workload))
    assert _relative(ours.first_output, theirs.first_output) < 1e-5
    loss_ours = nt.functional.cross_entropy(nt.tensor(ours.first_output), nt.tensor(y)).item()
    loss_theirs = torch.nn.functional.cross_entropy(torch.from_numpy(theirs.first_output), torch.from_numpy(y)).item()
    assert loss_ours == pytest.approx(loss_theirs, rel=1e-5)

    ours.step()
    theirs.step()
    with nt.no_grad():
        after_ours = np.array(ours.model(nt.tensor(x)).data)
    with torch.no_grad():
        after_theirs = theirs.model(torch.from_numpy(x)).numpy()
    # measured after one step: relative difference <= 3.3e-6 (LSTM), most ~5e-7
    assert _relative(after_ours, after_theirs) < 1e-4
    moved = _relative(after_ours, ours.first_output)
    if workload.train:
        assert moved > 1e-2                      # the step changed the model (measured 0.46-5.5)
    else:
        assert moved == 0.0                      # inference changes nothing


def test_a_workload_whose_layer_does_not_exist_is_reported_missing_with_the_reason():
    base = BY_NAME["mlp-b64"]
    fake = Workload(name="fake", family="mlp", description="needs a layer neuronet lacks", batch=8, train=True,
                    make_inputs=features(8, 784, 10), build_neuronet=_needs_missing_layer,
                    build_torch=base.build_torch, optimizer="sgd", lr=0.01)
    (result,) = run_suite([fake], Settings(**TINY))["results"]
    assert result["status"] == "missing" and "NoSuchLayer" in result["reason"]
    assert result["neuronet"] is None and result["ratio"] is None
    assert result["torch"]["samples_per_s"]["median"] > 0  # the torch baseline is still measured
    assert "**missing**" in render(run_suite([fake], Settings(**TINY)))


class _FakeParameter:
    def __init__(self, data):
        self.data = data


class _FakeModel:
    def __init__(self, arrays):
        self.arrays = arrays

    def parameters(self):
        return [_FakeParameter(a) for a in self.arrays]


def test_copy_weights_concatenates_separate_query_key_value_into_torch_in_proj():
    attention = torch.nn.MultiheadAttention(4, 2, batch_first=True)
    rng = np.random.default_rng(0)
    q, k, v, o = (rng.standard_normal((4, 4), dtype=np.float32) for _ in range(4))
    bq, bk, bv, bo = (rng.standard_normal(4, dtype=np.float32) for _ in range(4))
    assert copy_weights(_FakeModel([q, k, v, bq, bk, bv, o, bo]), attention) is None
    np.testing.assert_array_equal(attention.in_proj_weight.detach().numpy(), np.concatenate([q, k, v]))
    np.testing.assert_array_equal(attention.in_proj_bias.detach().numpy(), np.concatenate([bq, bk, bv]))
    np.testing.assert_array_equal(attention.out_proj.weight.detach().numpy(), o)


def test_copy_weights_explains_a_mismatch():
    linear = torch.nn.Linear(3, 2)
    assert "no neuronet match" in copy_weights(_FakeModel([np.zeros((5, 3), np.float32)]), linear)
    extra = [np.zeros((2, 3), np.float32), np.zeros(2, np.float32), np.zeros(1, np.float32)]
    assert "more parameter tensors" in copy_weights(_FakeModel(extra), linear)


@pytest.mark.parametrize("name", [w.name for w in ALL if w.make_step is not None])
def test_generative_workloads_start_from_the_same_model_and_step(name):
    """Auto-encoder, VAE and GAN steps draw their own noise, so only the first output (the same weights)
    is compared; then one step runs in each framework and changes the model."""
    import neuronet as nt

    workload = tiny(name, batch=8)
    x, y = workload.make_inputs(None)
    ours = neuronet_session(workload, x, y, seed=0)
    theirs, note = torch_session(workload, x, y, seed=0, weights_from=ours.model)
    assert note is None
    assert ours.first_output.shape == theirs.first_output.shape
    assert _relative(ours.first_output, theirs.first_output) < 1e-5
    ours.step()
    theirs.step()
    ours.model.eval()
    with nt.no_grad():
        after = np.array(ours.model(nt.tensor(x)).data)
    assert _relative(after, ours.first_output) > 1e-4


def test_workload_selection_by_family_prefix_and_unknown_name():
    # every family is in ALL, so the step tests above, parametrized over ALL, build and step each one
    assert {w.family for w in ALL} == {"mlp", "cnn", "rnn", "transformer", "generative", "latency"}
    assert {"lstm", "gru", "lenet", "cnn-wide", "transformer", "transformer-6", "resnet18"} <= set(BY_NAME)
    assert {"mlp-b1", "lenet-b1", "lstm-b1", "transformer-b1"} <= set(BY_NAME)
    assert all(w.batch == 1 and not w.train for w in select("latency"))
    assert [w.name for w in select("lenet,rnn")] == ["lenet", "lenet-infer", "lenet-b1", "lstm", "gru"]
    with pytest.raises(ValueError, match="unknown workload 'nope'"):
        select("nope")


def test_memory_probe_runs_in_a_fresh_process_and_reports_mib():
    result = measure("mlp-b64", "neuronet", steps=1)
    assert "error" not in result, result
    assert result["peak_rss_growth_mib"] >= 0 and result["traced_peak_mib"] > 0
    assert result["instrument"]


def test_graph_benchmark_runs_on_a_tiny_graph():
    pytest.importorskip("torch_geometric")
    from benchmarks import graph_pyg
    report = graph_pyg.run(nodes=30, edges=90, features=8, threads=1, target_seconds=0.0, repetitions=1)
    assert [r["layer"] for r in report["results"]] == ["GCNConv", "SAGEConv(mean)", "GATConv(4 heads)", "GINConv"]
    assert all(r["max_rel_diff"] < 1e-5 for r in report["results"])
    assert "| GCNConv |" in graph_pyg.render(json.loads(json.dumps(report)))


@pytest.mark.parametrize("name", ["mlp-b64", "lenet", "mlp-infer-b256", "vae"])
def test_the_jit_variant_takes_the_same_steps_as_eager(name):
    """``--variants neuronet-jit`` times the ``nt.jit``-captured step: after the two recorded runs and
    several replays its model must hold exactly the weights of the eager session's."""
    from benchmarks.sessions import NEURONET_VARIANTS

    import neuronet as nt

    workload = tiny(name, batch=8)
    x, y = workload.make_inputs(None)
    eager = neuronet_session(workload, x, y, seed=0)
    captured = NEURONET_VARIANTS["neuronet-jit"](workload, x, y, seed=0)
    np.testing.assert_array_equal(eager.first_output, captured.first_output)
    for _ in range(5):
        nt.manual_seed(1)
        eager.step()
        nt.manual_seed(1)
        captured.step()
    for a, b in zip(eager.model.parameters(), captured.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    step = getattr(captured.step, "func", captured.step)     # the StepFunction (bound to the batch or not)
    assert step.calls["replay"] >= 2, step.calls
