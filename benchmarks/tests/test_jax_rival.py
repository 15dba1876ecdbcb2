"""JAX as a benchmark rival, the FLOP counts behind the peak fraction, and the scaling report.

The JAX tests run each workload's whole jitted step in a worker process from torch's copy of
neuronet's initial weights and compare one step with torch's (no timings asserted).  They skip
when jax/optax are not installed (they are in the ``bench`` extra).  Compiling a step takes XLA
seconds, so the fast set covers one workload per kind of layer and the rest are marked slow.
"""
import json

import numpy as np
import pytest

from benchmarks import flops
from benchmarks.harness import Settings, jax_parity, run_suite
from benchmarks.jax_session import JaxSession, available, xla_flags
from benchmarks.report import render
from benchmarks.sessions import neuronet_session, torch_reference, torch_session, torch_state
from benchmarks.workloads import ALL, BY_NAME, cnn, generative, mlp, resnet, rnn, transformer

from .tiny import tiny

torch = pytest.importorskip("torch")
pytest.importorskip("threadpoolctl")
needs_jax = pytest.mark.skipif(available() is not None, reason=f"JAX rival: {available()}")

# fast: dense + SGD and a recurrent scan with Adam (inference runs in the report test); the rest are slow
FAST = {"mlp-b64", "gru"}
JAX_WORKLOADS = [w.name for w in ALL if w.build_jax is not None]


# --- FLOP counts, by hand ---------------------------------------------------------------------------

def test_flop_counts_of_single_layers_by_hand():
    assert flops.dense(3, 4) == 2 * 3 * 4
    assert flops.dense(3, 4, positions=5) == 120
    assert flops.conv2d(2, 3, 3, 4) == 2 * (2 * 3 * 3) * 3 * (4 * 4) == 1728
    assert flops.conv_out(32, 3, 2, 1) == 16 and flops.conv_out(32, 5) == 28
    # LSTM: input 2→12 and recurrent 3→12 products for each of 5 steps
    assert flops.lstm(2, 3, 5) == 5 * (2 * 2 * 12 + 2 * 3 * 12) == 600
    assert flops.lstm(2, 3, 5, gates=3) == 5 * (2 * 2 * 9 + 2 * 3 * 9)
    # attention, d 4, T 3: QKV 2·4·12·3, output 2·4·4·3, scores and weighted values 2·(2·3·3·4)
    assert flops.attention(4, 3) == 288 + 96 + 144
    assert flops.train(100, first_layer=30) == 270


def test_workload_flop_counts_by_hand():
    assert mlp.FORWARD_FLOPS == 2 * (784 * 256 + 256 * 128 + 128 * 10)
    assert mlp.TRAIN_FLOPS == 3 * mlp.FORWARD_FLOPS - 2 * 784 * 256
    # LeNet: conv 3→6 k5 on 28×28 outputs, conv 6→16 k5 on 10×10, dense 400-120-84-10
    assert cnn.LENET_FORWARD == 2 * 3 * 25 * 6 * 784 + 2 * 6 * 25 * 16 * 100 + 2 * (400 * 120 + 120 * 84 + 84 * 10)
    assert cnn.LENET_FORWARD == 1_303_440
    # ResNet-18 at width 1 on 8×8: stem 3456, stage 1 four 1→1 convs of 1152, each later stage
    # 576 + 1152 + 64 (projection) + 2·1152 = 4096, head 2·8·10
    assert resnet.forward_flops(width=1, size=8) == 3456 + 4 * 1152 + 3 * 4096 + 160 == 20_512
    assert resnet.train_flops(width=1, size=8) == 3 * 20_512 - 3456
    assert rnn.forward_flops("LSTM", steps=1) == 2 * 64 * 512 + 2 * 128 * 512 + 2 * 128 * 2
    # conv auto-encoder: 3×3 stride-2 convs 1→16 (14×14 out), 16→32 (7×7), transposed 32→16 and 16→1
    # doing a convolution's products per input position (7×7 and 14×14)
    assert generative.CONV_AE_FORWARD == 2 * 9 * (1 * 16 * 196 + 16 * 32 * 49 + 32 * 16 * 49 + 16 * 1 * 196)
    assert BY_NAME["vae"].flops_per_sample == 3 * generative.VAE_FORWARD - 2 * 784 * 512
    small = transformer.SMALL
    layer = 2 * 128 * 384 * 64 + 2 * 128 * 128 * 64 + 2 * 2 * 64 * 64 * 128 + 2 * 2 * 128 * 256 * 64
    assert small.forward_flops() == 2 * layer + 2 * 128 * 2
    assert BY_NAME["transformer"].flops_per_sample == 3 * small.forward_flops()


def test_every_workload_but_the_generative_ones_has_flops_and_a_jax_version():
    for w in ALL:
        if w.name != "dcgan":  # a GAN step is two generator and three discriminator passes: not counted yet
            assert w.flops_per_sample and w.flops_per_sample > 0, w.name
        assert (w.build_jax is None) == (w.family == "generative"), w.name
    assert BY_NAME["mlp-b1"].flops_per_sample == mlp.FORWARD_FLOPS  # latency: forward only


def test_xla_flags_ask_for_one_thread_without_the_eigen_pool():
    assert xla_flags(1) == "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    assert "intra_op_parallelism_threads=2" in xla_flags(2)


def test_jax_is_skipped_with_a_reason_when_not_requested():
    report = run_suite([tiny("mlp-b64")], Settings(threads=[1], repetitions=1, warmup_steps=1, target_seconds=0.0,
                                                   settle_seconds=0.0, memory=False, gemm_size=64, jax=False))
    (result,) = report["results"]
    assert result["jax"] is None and result["jax_check"] == {"status": "skipped", "reason": "not requested"}
    assert set(result["ratios"]) == {"neuronet/torch"}


# --- the JAX step against torch's ----------------------------------------------------------------------

def _jax_against_torch(name: str):
    workload = tiny(name, batch=4, steps=12)
    x, y = workload.make_inputs(None)
    ours = neuronet_session(workload, x, y, seed=0)
    theirs, note = torch_session(workload, x, y, seed=0, weights_from=ours.model)
    assert note is None
    params, buffers = torch_state(theirs.model)
    reference = torch_reference(workload, theirs.model, x, y)
    with JaxSession(workload, x, y, params, buffers, threads=1) as session:
        parity = jax_parity(session.facts, theirs.first_output, reference)
        assert session.timed(2) > 0  # and the donated, jitted step runs on after the parity steps
    return workload, parity


@needs_jax
@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in FAST else pytest.mark.slow) for n in JAX_WORKLOADS])
def test_jax_takes_the_same_step_as_torch_from_the_same_weights(name):
    workload, parity = _jax_against_torch(name)
    # measured on the full shapes (mlp-b64, lenet, cnn-wide, lstm, gru, transformer): first output <= 1.4e-6,
    # loss <= 2.4e-7, output after one step <= 7.3e-6
    assert parity["first_output_rel_diff"] < 1e-5
    assert parity["after_output_rel_diff"] < 1e-4
    if workload.train:
        assert parity["loss_rel_diff"] < 1e-5
        # SGD: rounding only (measured 7e-8).  Adam moves a weight whose gradient is ~0 (a conv bias
        # before batch norm) by ±lr on the sign of rounding noise: at most 2·lr over the largest weight
        limit = 1e-5 if workload.optimizer == "sgd" else 2.5 * workload.lr
        assert parity["weights_rel_diff"] < limit
    else:
        assert parity["loss_rel_diff"] is None


@needs_jax
def test_the_report_has_jax_ratios_latency_peak_fraction_and_parity():
    settings = Settings(threads=[1], repetitions=1, warmup_steps=1, target_seconds=0.0, settle_seconds=0.0,
                        memory=False, gemm_size=64)
    report = json.loads(json.dumps(run_suite([tiny("mlp-b64"), BY_NAME["mlp-b1"]], settings)))
    train, latency = report["results"]
    for result in (train, latency):
        assert result["jax_check"]["status"] == "ok", result["jax_check"]
        assert result["jax"]["samples_per_s"]["median"] > 0
        assert result["jax_worker"]["xla_flags"].startswith(xla_flags(1)) and len(result["jax_worker"]["cpus"]) == 1
        assert set(result["ratios"]) == {"neuronet/torch", "neuronet/jax"}
        assert result["ratios"]["neuronet/jax"] == pytest.approx(
            result["neuronet"]["samples_per_s"]["median"] / result["jax"]["samples_per_s"]["median"])
        g = result["gflops"]
        assert g["jax_percent_of_numpy_gemm_peak"] == pytest.approx(
            100 * g["jax"] / report["gemm_peak"][0]["numpy_gflops"])
    assert train["gflops"]["flops_per_step"] == mlp.TRAIN_FLOPS * 4
    text = render(report)
    assert "neuronet ÷ jax" in text and "### Latency" in text and "### Peak fraction" in text
    assert "### JAX parity" in text and "| mlp-b1 | 1 |" in text


# --- scaling ------------------------------------------------------------------------------------------

def test_scaling_sweeps_batch_and_width_and_plots_them(tmp_path):
    pytest.importorskip("matplotlib")
    from benchmarks import scaling

    scaling.SWEEPS["tiny-mlp"] = scaling.Sweep(scaling._mlp, batches=(2, 4), widths=(8, 16), base_batch=2,
                                               base_width=8)
    try:
        settings = Settings(threads=[1], repetitions=1, warmup_steps=1, target_seconds=0.0, settle_seconds=0.0)
        report = scaling.run(["tiny-mlp"], 1, settings, log=lambda message: None)
    finally:
        del scaling.SWEEPS["tiny-mlp"]
    points = report["models"]["tiny-mlp"]["points"]
    assert [(p["axis"], p["value"], p["batch"]) for p in points] == [
        ("batch", 2, 2), ("batch", 4, 4), ("width", 8, 2), ("width", 16, 2)]
    assert all(p["neuronet"] > 0 and p["torch"] > 0 and p["weights_copied"] for p in points)
    assert "| tiny-mlp | width (batch 2) | 16 |" in scaling.render(report)
    png = scaling.plot(report, str(tmp_path / "scaling.png"))
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_sized_mlp_and_narrow_resnet_take_the_same_step_in_neuronet_and_torch():
    for workload in (mlp.sized(3, (16, 8)), resnet.workload(width=2, batch=2)):
        x, y = workload.make_inputs(np.random.default_rng(0))
        ours = neuronet_session(workload, x, y, seed=0)
        theirs, note = torch_session(workload, x, y, seed=0, weights_from=ours.model)
        assert note is None, workload.name
        diff = np.max(np.abs(ours.first_output - theirs.first_output)) / np.max(np.abs(theirs.first_output))
        assert diff < 1e-5, workload.name
