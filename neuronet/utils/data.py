"""``nt.utils.data``: ``torch.utils.data``'s names over neuronet's data loading (see ``data/torch_style.py``)."""
from ..data.loader import TensorDataset
from ..data.torch_style import ConcatDataset, DataLoader, Dataset, Subset, random_split

__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader"]
