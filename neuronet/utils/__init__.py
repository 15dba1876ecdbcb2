"""``nt.utils``: PyTorch's ``torch.utils`` names (``nt.utils.data``)."""
from . import data

__all__ = ["data"]
