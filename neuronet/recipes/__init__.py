"""Course experiments by name (``neuronet train NAME``): data, model, training settings."""
from .registry import Recipe, register, get_recipe, recipe_names
from . import mlp, cnn, sequence, language, language_transformer, numerals, attention  # noqa: F401  (register the recipes)
from . import classic  # noqa: F401  (the classic networks: own learning rules, Recipe.run)
from . import energy  # noqa: F401  (energy-based recipes)
from . import generative  # noqa: F401  (the auto-encoder, VAE and GAN recipes)
from . import graph, memory  # noqa: F401  (register the graph and memory recipes)
from . import word2vec  # noqa: F401  (the word2vec recipes: own training loop, Recipe.run)
from . import pretraining  # noqa: F401  (rt-pretrain-finetune: masked-LM pre-training, then fine-tuning)
from .runner import run_recipe

__all__ = ["Recipe", "register", "get_recipe", "recipe_names", "run_recipe"]
