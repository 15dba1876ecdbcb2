"""examples/augmentation_small_data.py on a reduced budget: both runs learn, and the augmented run
trains on batches that really differ from the stored images."""
import importlib.util
import math
from pathlib import Path

import numpy as np

from tests.data.conftest import ensure_dataset  # noqa: F401  (fixture: fetch Fashion-MNIST if missing)

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "augmentation_small_data.py"


def load():
    spec = importlib.util.spec_from_file_location("augmentation_small_data", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reduced_run_learns_with_and_without_augmentation(ensure_dataset):
    ensure_dataset("fashion-mnist")
    example = load()
    augment = example.default_augmentation()
    batches = []

    def spy(xb):
        out = augment(xb)
        batches.append(((out != xb).any(axis=(1, 2, 3)).mean(), out.shape == xb.shape))
        return out

    n_train, epochs = 300, 15
    plain, augmented = example.main(n_train=n_train, n_val=500, epochs=epochs, augment=spy, verbose=False)
    # measured (seeds 0, 1): plain 0.698 / 0.722, augmented 0.660 / 0.674; 10 classes: chance is 0.1.
    # That augmentation helps is NOT asserted: at any budget that fits a test it loses (validation on 2,000
    # images, seeds 0-2: 100 images x 60 epochs -0.6 to -6.8 points, 200 x 40 -3.2 to -4.8, flips alone
    # 200 x 40 -1.2 to -2.4); the example's docstring reports the gain only after 60-120 epochs on 1,000.
    assert plain > 0.6 and augmented > 0.6
    assert len(batches) == epochs * math.ceil(n_train / 64)  # every training batch went through the transform
    assert all(same_shape for _, same_shape in batches)
    # a sample stays as stored only with the centre crop and no flip: 1/9 · 1/2 of the time
    assert np.mean([changed for changed, _ in batches]) > 0.85
    assert plain != augmented
