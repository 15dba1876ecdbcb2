"""Ready architectures from the curriculum, built from ``nt.nn`` layers."""
from .cnn import *  # noqa: F401,F403
from .sampling import sample_logits
from .decoding import greedy_decode, beam_search
from .char_lm import *  # noqa: F401,F403
from .seq2seq import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .vit import *  # noqa: F401,F403
from . import classic  # noqa: F401  (nt.models.classic)
from .text_classifier import *  # noqa: F401,F403
from . import energy  # noqa: F401  (nt.models.energy)
from .autoencoder import *  # noqa: F401,F403
from .vae import *  # noqa: F401,F403
from .frechet import *  # noqa: F401,F403
from .gan import *  # noqa: F401,F403
from .graph import *  # noqa: F401,F403
from .ntm import *  # noqa: F401,F403
from .dnc import *  # noqa: F401,F403
from . import word2vec  # noqa: F401  (nt.models.word2vec: skip-gram and CBOW)
from .pretraining import *  # noqa: F401,F403
