"""Every differentiable operation, forward and backward side by side, one family per file.

Names and signatures mirror ``torch.nn.functional`` where PyTorch has the operation.
Importing this package also installs Tensor's Python operators and methods (``+``, ``@``,
indexing, ``.sum()``, ...) — see ``operators.py`` — so ``tensor.py`` never imports it.
"""
from .math import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .conv_pool import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .upsample import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .recurrent_simple import *  # noqa: F401,F403
from .generative import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .graph import *  # noqa: F401,F403
from .graph_norm import *  # noqa: F401,F403
from .memory import *  # noqa: F401,F403
from .dnc import *  # noqa: F401,F403
from .word2vec import *  # noqa: F401,F403
from . import operators as _operators

_operators.install()
