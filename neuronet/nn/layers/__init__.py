"""Layers: Keras-style names and lazy input sizes, PyTorch parameter names and layouts."""
from .dense import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .reshape import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pool import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .recurrent_cells import *  # noqa: F401,F403
from .bidirectional import *  # noqa: F401,F403
from .jordan import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .positional import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .spatial import *  # noqa: F401,F403
from .residual import *  # noqa: F401,F403
