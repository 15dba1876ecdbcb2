"""``from neuronet.keras import layers``: Keras's layer names and arguments over neuronet's layers
(channels-last images, Keras-layout ``get_weights``; see ``base.py`` and ``conv.py``)."""
from ..graph import Input  # noqa: F401
from .base import KerasLayer  # noqa: F401
from .core import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .merge import *  # noqa: F401,F403
