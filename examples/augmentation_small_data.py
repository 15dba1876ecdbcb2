"""Data augmentation on a small data set: one small CNN trained on 1,000 Fashion-MNIST images,
once on the images as they are and once on randomly cropped and mirrored copies drawn afresh
every batch, same seed, same schedule.  Both are scored on held-out training images (a
validation split; the test split is never touched).

Run: python examples/augmentation_small_data.py
"""

import numpy as np

import neuronet as nt
from neuronet.data.transforms import Compose, RandomCrop, RandomHorizontalFlip


def default_augmentation():
    """Shift by up to 2 pixels (pad 2, crop 28×28) and mirror left-right half of the time.

    Chosen on the validation split (5,000 images, seed 0): after 120 epochs pad 2 + flip 0.846,
    pad 1 + flip 0.840, no augmentation 0.834; after 60 epochs the gap was smaller (0.838 / 0.838
    / 0.830), as augmented data takes longer to fit.  With a smaller 8/16-filter model,
    augmentation lost (0.816 vs 0.824 at 60 epochs): that model could no longer fit the varied
    images (training accuracy 0.85)."""
    return Compose([RandomCrop(28, padding=2), RandomHorizontalFlip()])


def make_model():
    """Two 3×3 conv + 2×2 max-pool stages, then a small dense classifier (about 106k parameters)."""
    return nt.Sequential([
        nt.nn.Conv2D(16, 3, padding=1, activation="relu"), nt.nn.MaxPool2D(2),
        nt.nn.Conv2D(32, 3, padding=1, activation="relu"), nt.nn.MaxPool2D(2),
        nt.nn.Flatten(), nt.nn.Dense(64, activation="relu"), nt.nn.Dense(10),
    ])


def split(n_train, n_val, seed):
    """``n_train`` training and ``n_val`` validation images, disjoint, drawn from the Fashion-MNIST training set."""
    (x, y), _ = nt.data.load_fashion_mnist()   # x: (60000, 1, 28, 28) float32 in [0, 1]
    order = np.random.default_rng(seed).permutation(len(x))
    train, val = order[:n_train], order[n_train:n_train + n_val]
    return (x[train], y[train]), (x[val], y[val])


def train_and_score(train, val, epochs, transform, seed, learning_rate=2e-3, batch_size=64):
    """Validation accuracy of a fresh model trained with Adam and a cosine learning-rate decay."""
    nt.manual_seed(seed)
    model = make_model()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=learning_rate)
    schedule = nt.callbacks.LearningRateScheduler(nt.optim.schedules.cosine_decay(learning_rate, epochs))
    model.fit(*train, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[schedule], transform=transform)
    return model.evaluate(*val)["accuracy"]


def main(n_train=1000, n_val=5000, epochs=120, seed=0, augment=None, verbose=True):
    """Train without and with augmentation; return (plain accuracy, augmented accuracy) on the validation images.

    Args:
        augment: the batch transform of the second run (default :func:`default_augmentation`).
    """
    augment = augment or default_augmentation()
    train, val = split(n_train, n_val, seed)
    plain = train_and_score(train, val, epochs, None, seed)
    augmented = train_and_score(train, val, epochs, augment, seed)
    if verbose:
        print(f"{n_train} training images, {epochs} epochs, validation accuracy on {n_val} held-out images:")
        print(f"  without augmentation: {plain:.4f}")
        print(f"  with augmentation:    {augmented:.4f}   {' '.join(repr(augment).split())}")
    return plain, augmented


if __name__ == "__main__":
    main()
