"""``keras.datasets``: ``fashion_mnist.load_data()`` from neuronet's offline copy (Keras's uint8
arrays, (N, 28, 28)); ``mnist.load_data(path)`` reads the standard files a user has."""
from . import fashion_mnist, mnist  # noqa: F401
