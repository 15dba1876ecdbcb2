"""Where a batch-64 MLP training step's time goes: the GEMMs against everything else, neuronet vs torch vs JAX.

The MLP 784-256-128-10 (ReLU, softmax cross-entropy, SGD lr 0.01) of ``benchmarks/``, with the same
weights in neuronet (compiled kernels on and off, eager and ``nt.jit``), PyTorch eager and a
``jax.jit``-compiled step.  All are timed in interleaved blocks in one process (so load on a shared
machine hits each alike) and reported as median µs per step, next to the floor: the eight
matrix products a step needs (3 forward, 3 weight gradients, 2 input gradients) done alone in NumPy,
the forward ones as the dense layer computes them (``neuronet/kernels/transposed_product.py``).
``rest`` is a step's time minus that floor: bias, activations, loss, update and dispatch.  Then
neuronet's step split into its phases (forward, loss, backward, update).

    python examples/mlp_step_breakdown.py --threads 1 --repeats 15
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

LAYERS = (784, 256, 128, 10)


def _mean_us(fn, steps):
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    return (time.perf_counter() - start) / steps * 1e6


def build(batch, seed=0):
    """Step functions of each framework over the same weights and data: name -> zero-argument callable."""
    import numpy as np

    import neuronet as nt
    from neuronet import functional as F
    from neuronet.kernels import compiled

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, LAYERS[0])).astype(np.float32)
    y = rng.integers(0, LAYERS[-1], batch)
    weights = [((rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32), np.zeros(o, np.float32))
               for i, o in zip(LAYERS[:-1], LAYERS[1:])]

    def neuronet_step(kernels, use_jit=False):
        model = nt.Sequential([nt.nn.Dense(o, activation="relu" if k < 2 else None, in_features=i)
                               for k, (i, o) in enumerate(zip(LAYERS[:-1], LAYERS[1:]))])
        for layer, (w, b) in zip(model, weights):
            layer.weight.data[...], layer.bias.data[...] = w, b
        opt = nt.optim.SGD(model.parameters(), lr=0.01)
        xt, yt = nt.tensor(x), nt.tensor(y)

        def step(xb, yb):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        fn = nt.jit(step) if use_jit else step

        def run():
            previous = compiled.numba_kernels_enabled()
            if previous != kernels:
                compiled.set_numba_kernels(kernels)
            try:
                fn(xt, yt)
            finally:
                if previous != kernels:
                    compiled.set_numba_kernels(previous)
        return run, (model, opt, xt, yt)

    steps = {}
    if compiled.numba_kernels_enabled():
        steps["neuronet"], parts = neuronet_step(True)
        steps["neuronet-jit"], _ = neuronet_step(True, use_jit=True)
        steps["neuronet, kernels off"], _ = neuronet_step(False)
    else:
        steps["neuronet"], parts = neuronet_step(False)

    from neuronet.kernels.transposed_product import linear_product

    def gemms():  # the products of one step, nothing else (x Wᵀ the way the dense layer computes it)
        h = [x]
        for w, _ in weights:
            h.append(linear_product(h[-1], w))
        g = h[-1]
        for k in range(len(weights) - 1, -1, -1):
            _ = g.T @ h[k]
            if k:
                g = g @ weights[k][0]
    steps["GEMMs alone (NumPy)"] = gemms

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        tmodel = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                     torch.nn.ReLU(), torch.nn.Linear(128, 10))
        with torch.no_grad():
            for layer, (w, b) in zip(tmodel[::2], weights):
                layer.weight.copy_(torch.from_numpy(w))
                layer.bias.copy_(torch.from_numpy(b))
        topt = torch.optim.SGD(tmodel.parameters(), lr=0.01)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
            topt.step()
        steps["torch"] = torch_step
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        jax = None
    if jax is not None:
        def loss_fn(params, xb, yb):
            h = xb
            for k, (w, b) in enumerate(params):
                h = h @ w.T + b
                if k < len(params) - 1:
                    h = jax.nn.relu(h)
            return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(h), yb[:, None], axis=1))

        @jax.jit
        def jax_update(params, xb, yb):
            loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
            return [(w - 0.01 * gw, b - 0.01 * gb) for (w, b), (gw, gb) in zip(params, grads)], loss

        state = {"p": [(jnp.asarray(w), jnp.asarray(b)) for w, b in weights]}
        jx, jy = jnp.asarray(x), jnp.asarray(y)

        def jax_step():
            state["p"], loss = jax_update(state["p"], jx, jy)
            loss.block_until_ready()
        steps["jax-jit"] = jax_step
    return steps, parts


def phases(parts, steps):
    """neuronet's step split into forward, loss, backward, update: median µs of each."""
    from neuronet import functional as F
    model, opt, xt, yt = parts
    times = {k: [] for k in ("forward", "loss", "backward", "update")}
    for _ in range(steps):
        opt.zero_grad()
        t0 = time.perf_counter()
        out = model(xt)
        t1 = time.perf_counter()
        loss = F.cross_entropy(out, yt)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        for k, a, b in (("forward", t0, t1), ("loss", t1, t2), ("backward", t2, t3), ("update", t3, t4)):
            times[k].append((b - a) * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=15, help="interleaved blocks of each kind")
    ap.add_argument("--steps", type=int, default=30, help="steps per block")
    args = ap.parse_args(argv)
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    from neuronet.kernels.parallel import blas_controllers

    saved = [(c, c.num_threads) for c in blas_controllers()]
    try:
        import torch
    except ImportError:
        torch = None
    torch_threads = torch.get_num_threads() if torch is not None else None
    try:  # the thread counts are process-wide: set for the run, restored after
        for c, _ in saved:
            c.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
        return _run(args)
    finally:
        for c, count in saved:
            c.set_num_threads(count)
        if torch is not None:
            torch.set_num_threads(torch_threads)


def _run(args):
    steps, parts = build(args.batch)
    for fn in steps.values():  # warm-up: compilation, captures, caches
        for _ in range(5):
            fn()
    samples = {name: [] for name in steps}
    for r in range(args.repeats):
        order = list(steps) if r % 2 == 0 else list(reversed(steps))  # A, B, B, A, ...
        for name in order:
            samples[name].append(_mean_us(steps[name], args.steps))
    floor = statistics.median(samples["GEMMs alone (NumPy)"])
    print(f"MLP 784-256-128-10, batch {args.batch}, {args.threads} thread(s), load {os.getloadavg()[0]:.2f}: "
          f"median µs per step over {args.repeats} interleaved blocks of {args.steps}")
    result = {}
    for name, values in samples.items():
        us = statistics.median(values)
        result[name] = us
        rest = "" if name.startswith("GEMMs") else f"   rest {us - floor:7.1f}"
        print(f"  {name:24s} {us:8.1f}{rest}")
    split = phases(parts, args.repeats * args.steps)
    print("  neuronet phases (µs): " + ", ".join(f"{k} {v:.1f}" for k, v in split.items()))
    return result, split


if __name__ == "__main__":
    main()
