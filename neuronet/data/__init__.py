"""Data: real datasets loaded offline, the DataLoader, train/test splits and cross-validation, toy problems.

Pure NumPy: loaders and the DataLoader yield NumPy arrays; the training code wraps them in tensors.

Example:
    >>> import neuronet as nt
    >>> (x, y), (x_test, y_test) = nt.data.load_fashion_mnist()          # doctest: +SKIP
    >>> loader = nt.data.DataLoader((x, y), batch_size=128, shuffle=True)  # doctest: +SKIP
"""
from .loader import ArrayDataset, TensorDataset, DataLoader
from .splits import train_test_split, holdout, KFold, StratifiedKFold, TimeSeriesSplit, cross_validate
from .toy import logic_gate, xor, two_spirals, moons, circles, sine_sequences, LOGIC_GATES
from . import datasets
from .datasets import (DatasetNotFoundError, fetch, list_datasets, cache_dir, load_fashion_mnist, load_mnist,
                       load_mnist_5k, load_iris, load_digits, load_shakespeare, load_cifar10,
                       FASHION_MNIST_CLASSES, MNIST_CLASSES, IRIS_CLASSES, IRIS_FEATURES, DIGITS_CLASSES,
                       CIFAR10_CLASSES, load_rotten_tomatoes, rotten_tomatoes_split, ROTTEN_TOMATOES_CLASSES,
                       load_sunspots, load_co2, load_nile, make_windows)
from . import text, transforms, numerals, tbptt
from . import graphs
from .tbptt import TBPTTLoader, tbptt_arrays
from .text import Tokenizer, Vocabulary, tokenize, pad_sequences, sequence_mask

__all__ = [
    "ArrayDataset", "TensorDataset", "DataLoader",
    "train_test_split", "holdout", "KFold", "StratifiedKFold", "TimeSeriesSplit", "cross_validate",
    "logic_gate", "xor", "two_spirals", "moons", "circles", "sine_sequences", "LOGIC_GATES",
    "datasets", "DatasetNotFoundError", "fetch", "list_datasets", "cache_dir",
    "load_fashion_mnist", "load_mnist", "load_mnist_5k", "load_iris", "load_digits", "load_shakespeare",
    "load_cifar10", "FASHION_MNIST_CLASSES", "MNIST_CLASSES", "IRIS_CLASSES", "IRIS_FEATURES",
    "DIGITS_CLASSES", "CIFAR10_CLASSES",
    "load_rotten_tomatoes", "rotten_tomatoes_split", "ROTTEN_TOMATOES_CLASSES", "load_sunspots", "load_co2",
    "load_nile", "make_windows", "text", "Tokenizer", "Vocabulary", "tokenize", "pad_sequences", "sequence_mask",
    "transforms", "numerals", "tbptt", "TBPTTLoader", "tbptt_arrays", "graphs",
]

from . import preprocessing
from .preprocessing import (StandardScaler, MinMaxScaler, RobustScaler, QuantileTransformer, OneHotEncoder,
                            LabelEncoder, SimpleImputer, preprocessor_from_config, save_preprocessor, load_preprocessor)

__all__ += ["preprocessing", "StandardScaler", "MinMaxScaler", "RobustScaler", "QuantileTransformer", "OneHotEncoder",
            "LabelEncoder", "SimpleImputer", "preprocessor_from_config", "save_preprocessor", "load_preprocessor"]
