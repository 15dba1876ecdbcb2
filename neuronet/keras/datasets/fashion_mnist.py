"""``keras.datasets.fashion_mnist.load_data()``: Fashion-MNIST as Keras returns it."""
from ...backend import np


def load_data():
    """``(x_train, y_train), (x_test, y_test)``: uint8 images (60000, 28, 28) and (10000, 28, 28),
    uint8 labels, as Keras's loader gives them (from neuronet's offline cache:
    ``neuronet data fetch fashion-mnist``)."""
    from ...data.datasets.fashion_mnist import load_fashion_mnist
    return tuple(_keras(x, y) for x, y in load_fashion_mnist())


def _keras(x, y):
    return np.round(x[:, 0] * 255).astype(np.uint8), y.astype(np.uint8)
