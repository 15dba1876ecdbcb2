"""Kohonen's self-organising map on Iris: a hexagonal and a rectangular map trained online and in batch, their
quantisation and topographic errors, and the U-matrix, hit map and component planes of the hexagonal one.

Run: python examples/classic_som.py [OUT_DIR]          (a few seconds; writes som_iris.png)
"""
import sys

import numpy as np

from neuronet.data.datasets import IRIS_CLASSES, IRIS_FEATURES, load_iris
from neuronet.models.classic import SOM


def main(out: str = "."):
    x, y = load_iris()
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float64)
    results = {}
    for topology in ("hexagonal", "rectangular"):
        for mode, epochs in (("online", 20), ("batch", 30)):
            som = SOM(8, 8, topology=topology, sigma=3.0, lr=0.5, decay="exponential", seed=0)
            som.fit(x, epochs=epochs, mode=mode)
            labels = som.label_map(x, y)
            purity = float(np.mean(labels.reshape(-1)[som.winner(x)] == y))
            results[(topology, mode)] = (som.quantization_error(x), som.topographic_error(x), purity)
            print(f"{topology:>11} {mode:>6}: quantisation error {results[(topology, mode)][0]:.3f}, "
                  f"topographic error {results[(topology, mode)][1]:.3f}, majority-label purity {purity:.3f}")
            if (topology, mode) == ("hexagonal", "batch"):
                hexagonal = som
    try:
        from neuronet.viz import save_som_maps
        print("wrote", save_som_maps(hexagonal, x, f"{out}/som_iris.png", y=y, feature_names=IRIS_FEATURES,
                                     title="SOM of Iris (labels: " + ", ".join(f"{i} {c}" for i, c in enumerate(IRIS_CLASSES)) + ")"))
    except ImportError as error:
        print(f"picture skipped: {error}")
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
