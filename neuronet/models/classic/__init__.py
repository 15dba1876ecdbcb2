"""The classic units and networks: McCulloch–Pitts logic, Rosenblatt's perceptron, ADALINE, Hebb and Oja,
Kohonen's self-organising map, RBF networks, echo-state networks and extreme learning machines.

Each learning rule is written from its equations in NumPy (they are not gradient-trained, except the
RBF network's optional joint fine-tuning), float64, vectorised over samples where the rule allows.
"""
from .mcculloch_pitts import (MPUnit, MPNetwork, LOGIC_GATES, TRUTH_TABLES, logic_gate, truth_table,
                              search_single_unit, xor_network)
from .perceptron import Perceptron
from .adaline import Adaline
from .hebbian import Hebb, Oja, hebb_update
from .som import SOM, decay
from .kmeans import kmeans
from .rbf import RBFLayer, RBFNetwork, RBFClassifier, rbf_widths, gaussian_activations
from .reservoir import EchoStateNetwork, spectral_radius
from .elm import ExtremeLearningMachine, ELMClassifier
from ._common import ridge_solve

__all__ = ["MPUnit", "MPNetwork", "LOGIC_GATES", "TRUTH_TABLES", "logic_gate", "truth_table", "search_single_unit",
           "xor_network", "Perceptron", "Adaline", "Hebb", "Oja", "hebb_update", "SOM", "decay", "kmeans",
           "RBFLayer", "gaussian_activations", "RBFNetwork", "RBFClassifier", "rbf_widths", "EchoStateNetwork", "spectral_radius",
           "ExtremeLearningMachine", "ELMClassifier", "ridge_solve"]
