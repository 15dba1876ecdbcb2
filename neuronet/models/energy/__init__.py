"""Energy-based networks: Hopfield (classic and modern), Boltzmann machine, RBM, AIS, DBN, DBM."""
from .hopfield import Hopfield, to_bipolar, flip_bits, capacity_curve
from .modern_hopfield import ModernHopfield
from .boltzmann import BoltzmannMachine
from .rbm import RBM
from .exact import all_binary_states, exact_log_partition, exact_log_likelihood, exact_model_statistics
from .ais import ais_log_partition, base_rate_bias, average_log_likelihood, annealing_schedule
from .dbn import DBN
from .dbm import DBM

__all__ = ["Hopfield", "to_bipolar", "flip_bits", "capacity_curve", "ModernHopfield", "BoltzmannMachine", "RBM",
           "all_binary_states", "exact_log_partition", "exact_log_likelihood", "exact_model_statistics",
           "ais_log_partition", "base_rate_bias", "average_log_likelihood", "annealing_schedule", "DBN", "DBM"]
