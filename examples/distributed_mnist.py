"""Data-parallel training over MPI: the course's MLP (or LeNet) on Fashion-MNIST, with every rank
on its part of each global batch and gradients averaged during backward.

    python examples/distributed_mnist.py                    # one process
    mpiexec -n 2 python examples/distributed_mnist.py       # two ranks: the same steps, the same weights

Both runs print the same test accuracy and the same weight checksum (to float32 rounding): two
ranks with 128 rows each take the steps one process takes on batches of 256.  Rank 0 prints and
writes the checkpoint.  Needs ``pip install mpi4py mpich`` (or a cluster's MPI) for ``mpiexec``.
"""
import argparse
import time

import numpy as np

import neuronet as nt


def make_model(kind: str):
    if kind == "lenet":
        return nt.models.lenet5()
    return nt.Sequential([nt.nn.Dense(256, activation="relu"), nt.nn.Dense(128, activation="relu"),
                          nt.nn.Dense(10)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["mlp", "lenet"], default="mlp")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=256, help="the global batch (all ranks together)")
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--checkpoint", default=None, help="rank 0 saves the model here (.nnet)")
    args = parser.parse_args(argv)

    dist = nt.distributed
    dist.init()
    (x, y), (x_test, y_test) = nt.data.load_fashion_mnist(flatten=args.model == "mlp")
    x, y = x[:args.train_size], y[:args.train_size]
    nt.manual_seed(0)
    model = make_model(args.model)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    callbacks = [nt.callbacks.ModelCheckpoint(args.checkpoint)] if args.checkpoint else []
    start = time.perf_counter()
    dist.fit(model, x, y, batch_size=args.batch_size, epochs=args.epochs, seed=0, callbacks=callbacks,
             verbose=1)
    seconds = time.perf_counter() - start
    if dist.is_main():
        accuracy = model.evaluate(x_test, y_test, batch_size=1000)["accuracy"]
        checksum = float(sum(np.abs(p.data).sum() for p in model.parameters()))
        print(f"ranks {dist.size()}: test accuracy {accuracy:.4f}, weight checksum {checksum:.4f}, "
              f"{seconds:.1f} s, {args.epochs * len(x) / seconds:,.0f} samples/s")


if __name__ == "__main__":
    main()
