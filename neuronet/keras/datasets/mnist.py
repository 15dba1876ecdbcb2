"""``keras.datasets.mnist.load_data(path)``: full MNIST is in no package registry, so it reads the
standard idx files from a folder the user has (or says where to find the offline alternatives)."""
from .fashion_mnist import _keras


def load_data(path=None):
    """``(x_train, y_train), (x_test, y_test)`` as Keras gives them (uint8, (N, 28, 28)), read from the
    idx files in folder ``path``."""
    if path is None or str(path).endswith(".npz"):
        raise ValueError("keras.datasets.mnist.load_data: full MNIST cannot be downloaded here; pass the folder "
                         "holding train-images-idx3-ubyte.gz etc., or use keras.datasets.fashion_mnist.load_data() "
                         "or nt.datasets.load_mnist_5k() (5,000 MNIST digits, offline)")
    from ...data.datasets.mnist import load_mnist
    return tuple(_keras(x, y) for x, y in load_mnist(path))
