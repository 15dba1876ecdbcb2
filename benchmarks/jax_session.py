"""The JAX rival: a workload's whole training step under one ``jax.jit``, in a worker process.

XLA sizes its CPU thread pool once per process, from the CPU affinity and ``XLA_FLAGS``, before
the first computation, so a thread count cannot be changed in a running process the way
``torch.set_num_threads`` and threadpoolctl change theirs.  Each (workload, thread count) therefore
gets a fresh worker (``python -m benchmarks.jax_session``, pickled messages on its stdin/stdout):
the harness starts it with the torch model's initial weights (which are neuronet's, copied), the batch and the thread count; the worker pins itself to that many CPUs,
sets ``XLA_FLAGS`` (``--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1`` at one
thread, as the JAX issues #743 and #1539 recommend), imports JAX, compiles the step and answers
"run N steps, how long did they take" over a pipe.  The harness keeps interleaving: while the
worker runs, the parent waits on the pipe.

The training step is forward, cross-entropy, ``jax.value_and_grad``, an optax SGD or Adam update
(optax's defaults are torch's: β 0.9/0.999, ε 1e-8 outside the square root), all in one jitted
function whose parameter, optimizer-state and buffer arguments are donated.  Each timed run
blocks on its last result; an inference call blocks on every output (latency, not pipelining).

Parity: before timing, the worker takes one step from the initial weights without donation and
returns the first output, the loss, the output after the step and the updated parameters; the
harness compares them with torch's step from the same weights (``sessions.torch_reference``).
"""
from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np


def available() -> str | None:
    """None when jax and optax can be imported here, else why not (without importing them)."""
    import importlib.util

    missing = [name for name in ("jax", "jaxlib", "optax") if importlib.util.find_spec(name) is None]
    return f"not installed: {', '.join(missing)} (pip install -e '.[bench]')" if missing else None


def xla_flags(threads: int) -> str:
    """The XLA_FLAGS for ``threads`` CPU threads (the affinity mask does the rest)."""
    eigen = "false" if threads == 1 else "true"
    return f"--xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={threads}"


def _limit_threads(threads: int) -> list:
    cpus = sorted(os.sched_getaffinity(0))
    if threads < len(cpus):
        cpus = cpus[:threads]
        os.sched_setaffinity(0, cpus)
    os.environ["XLA_FLAGS"] = (xla_flags(threads) + " " + os.environ.get("XLA_FLAGS", "")).strip()
    os.environ["JAX_PLATFORMS"] = "cpu"
    return cpus


def _compile(spec: dict, params: list, state: list, x: np.ndarray, y: np.ndarray):
    """The jitted step and a ``run(count) -> seconds`` over it, plus the parity facts."""
    import jax
    import jax.numpy as jnp
    import optax

    forward = spec["build_jax"]()
    xs, ys = jnp.asarray(x), jnp.asarray(y)
    params, state = [jnp.asarray(p) for p in params], [jnp.asarray(s) for s in state]

    if not spec["train"]:
        infer = jax.jit(lambda p, s, inputs: forward(p, s, inputs, False)[0])
        first = np.asarray(infer(params, state, xs))
        facts = {"first_output": first, "loss": None, "after_output": first, "params_after": None}

        def run(count: int) -> float:
            start = time.perf_counter()
            for _ in range(count):
                infer(params, state, xs).block_until_ready()
            return time.perf_counter() - start
        return run, facts

    optimizer = optax.sgd(spec["lr"]) if spec["optimizer"] == "sgd" else optax.adam(spec["lr"])

    def loss_fn(p, s, inputs, labels):
        out, new_state = forward(p, s, inputs, True)
        return optax.losses.softmax_cross_entropy_with_integer_labels(out, labels).mean(), (new_state, out)

    def step(p, opt_state, s, inputs, labels):
        (loss, (new_state, out)), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, s, inputs, labels)
        updates, opt_state = optimizer.update(grads, opt_state, p)
        return optax.apply_updates(p, updates), opt_state, new_state, loss, out

    fast = jax.jit(step, donate_argnums=(0, 1, 2))  # one compilation serves the parity steps and the timing
    copy = lambda tree: jax.tree_util.tree_map(jnp.array, tree)  # noqa: E731  (donation consumes its inputs)
    p1, o1, s1, loss, first = fast(copy(params), optimizer.init(params), copy(state), xs, ys)
    after_params = [np.asarray(p) for p in p1]  # before the second step consumes them
    after = fast(p1, o1, s1, xs, ys)[4]         # the second step's forward is the output after one step
    facts = {"first_output": np.asarray(first), "loss": float(loss), "after_output": np.asarray(after),
             "params_after": after_params}
    live = [params, optimizer.init(params), state]

    def run(count: int) -> float:
        p, o, s = live
        start = time.perf_counter()
        for _ in range(count):
            p, o, s, last, _ = fast(p, o, s, xs, ys)
        jax.block_until_ready((p, last))
        seconds = time.perf_counter() - start
        live[:] = [p, o, s]
        return seconds
    return run, facts


def _serve(reader, writer) -> None:
    """The worker's main loop: read the job, compile, send the parity facts, then answer ("time", N)
    until ("close",) or end of input.  Messages are pickles on stdin/stdout."""
    def send(message):
        pickle.dump(message, writer, protocol=pickle.HIGHEST_PROTOCOL)
        writer.flush()

    threads, spec, params, state, x, y = pickle.load(reader)
    try:
        cpus = _limit_threads(threads)
        import warnings

        warnings.filterwarnings("ignore", message=".*donated buffers.*")
        import jax

        start = time.perf_counter()
        run, facts = _compile(spec, params, state, x, y)
        facts.update(compile_seconds=time.perf_counter() - start, cpus=cpus, xla_flags=os.environ["XLA_FLAGS"],
                     version=jax.__version__)
        send(("ready", facts))
    except Exception:
        send(("error", traceback.format_exc(limit=6)))
        return
    while True:
        try:
            command = pickle.load(reader)
        except EOFError:
            return
        if command[0] == "close":
            return
        try:
            send(("ok", run(command[1])))
        except Exception:
            send(("error", traceback.format_exc(limit=6)))


class JaxSession:
    """A running JAX worker for one workload at one thread count; ``timed(n)`` runs n steps there.

    ``params``/``state``: the torch model's parameters and float buffers as NumPy arrays, in
    ``parameters()``/``named_buffers()`` order (the order ``workloads/jaxops.Reader`` reads).
    The worker is ``python -m benchmarks.jax_session`` (a fresh interpreter: XLA reads its flags once).
    """

    def __init__(self, workload, x: np.ndarray, y: np.ndarray, params: list, state: list, threads: int,
                 timeout: float = 900.0):
        if workload.build_jax is None:
            raise ValueError(f"JaxSession: workload {workload.name!r} has no JAX version (build_jax is None)")
        spec = {"build_jax": workload.build_jax, "train": workload.train, "optimizer": workload.optimizer,
                "lr": workload.lr}
        root = str(Path(__file__).resolve().parents[1])  # where the benchmarks package lives
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.timeout = timeout
        self._process = subprocess.Popen([sys.executable, "-m", "benchmarks.jax_session"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, env=env)
        try:
            self._send((threads, spec, params, state, x, y))
            self.facts = self._receive()
        except BaseException:
            self.close()
            raise

    def _send(self, message) -> None:
        pickle.dump(message, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self._process.stdin.flush()

    def _receive(self):
        ready, _, _ = select.select([self._process.stdout], [], [], self.timeout)
        if not ready:
            raise TimeoutError(f"JAX worker gave no answer within {self.timeout:.0f} s")
        try:
            kind, payload = pickle.load(self._process.stdout)
        except EOFError:
            raise RuntimeError(f"JAX worker exited without an answer (exit status {self._process.wait()})") from None
        if kind == "error":
            raise RuntimeError(f"JAX worker failed:\n{payload}")
        return payload

    def timed(self, count: int) -> float:
        """Seconds the worker took for ``count`` steps (measured there, pipe round trip excluded)."""
        self._send(("time", count))
        return self._receive()

    def __call__(self):
        self.timed(1)

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._send(("close",))
                self._process.stdin.close()
                self._process.wait(10)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if not pipe.closed:
                pipe.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main() -> None:
    """Worker entry point: the protocol runs on the original stdout; prints go to stderr."""
    writer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _serve(sys.stdin.buffer, writer)


if __name__ == "__main__":
    main()
