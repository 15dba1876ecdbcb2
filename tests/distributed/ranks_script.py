"""Run under ``mpiexec -n R`` (or alone) by tests/distributed/test_mpi.py; writes results to OUT."""
import json
import sys

import numpy as np

import neuronet as nt


def data(n):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 10)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64)


def model():
    nt.manual_seed(0)
    m = nt.Sequential([nt.nn.Dense(16, activation="tanh"), nt.nn.Dense(2)])
    m.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    return m


def flat(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


def main(mode, out):
    dist = nt.distributed
    dist.init()
    result = {"size": dist.size()}
    if mode == "fit":                       # 201 rows, global batches of 32: the last has 9 (4 + 5 rows)
        x, y = data(201)
        m = model()
        h = dist.fit(m, x, y, batch_size=32, epochs=3, shuffle=True, seed=3, verbose=0)
        result.update(params=flat(m).tolist(), history=h.history)
    elif mode == "loop":                    # a hand-written loop, gradients clipped after averaging
        x, y = data(128)
        m = model()
        m.build((None, 10))
        dist.broadcast_parameters(m)
        averager = dist.average_gradients(m, bucket_bytes=256)   # several buckets
        opt = nt.optim.SGD(m.parameters(), lr=0.5, momentum=0.9)
        for xb, yb in dist.DistributedLoader(x, y, batch_size=64, shuffle=False):
            opt.zero_grad()
            nt.functional.cross_entropy(m(nt.tensor(xb)), nt.tensor(yb)).backward()
            nt.optim.clip_grad_norm_(m.parameters(), 0.1)
            opt.step()
        averager.remove()
        result.update(params=flat(m).tolist(), buckets=len(averager.buckets))
    elif mode == "checkpoint":              # two epochs on the ranks; rank 0 alone writes the file
        x, y = data(128)
        m = model()
        dist.fit(m, x, y, batch_size=32, epochs=2, shuffle=False, verbose=0,
                 callbacks=[nt.callbacks.ModelCheckpoint(out + ".nnet")])
        result.update(params=flat(m).tolist())
    elif mode in ("syncbn", "plainbn"):     # a CNN with batch norm; 69 rows: the last batch of 5 splits 2 + 3
        rng = np.random.default_rng(1)
        x = rng.normal(1.0, 2.0, (69, 2, 6, 6)).astype(np.float32)
        y = (x[:, 0].mean(axis=(1, 2)) > 1.0).astype(np.int64)
        nt.manual_seed(0)
        m = nt.Sequential([nt.nn.Conv2D(4, 3), nt.nn.BatchNorm2D(), nt.nn.ReLU(), nt.nn.Flatten(),
                           nt.nn.BatchNorm1D(), nt.nn.Dense(2)])
        m.compile(optimizer="sgd", loss="cross_entropy", learning_rate=0.1)
        m.build((None, 2, 6, 6))
        if mode == "syncbn":
            dist.convert_sync_batch_norm(m)
        dist.fit(m, x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
        buffers = np.concatenate([b.ravel() for b in m.buffers() if b.dtype.kind == "f"])
        result.update(params=flat(m).tolist(), buffers=buffers.tolist(),
                      types=sorted({type(mod).__name__ for mod in m.modules()}))
    elif mode == "fail":
        if dist.rank() == 1:
            raise RuntimeError("rank 1 breaks on purpose")
        dist.barrier()                      # rank 0 would wait here forever without the abort
    if dist.is_main():
        with open(out, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
