"""All parameters as one flat vector and back (``torch.nn.utils.parameters_to_vector``/``vector_to_parameters``)."""
from __future__ import annotations

from ...functional.shape import concat, reshape
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _tensors(fn, parameters):
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{fn}: expected tensors (parameters), got {type(p).__name__}")
    return params


def parameters_to_vector(parameters) -> Tensor:
    """Every parameter flattened and joined in order into one 1-D tensor (differentiable, as in PyTorch).

    Example:
        >>> layer = nt.nn.Linear(3, 2)
        >>> nt.nn.utils.parameters_to_vector(layer.parameters()).shape  # 6 weights + 2 biases
        (8,)
    """
    params = _tensors("parameters_to_vector", parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return concat([reshape(p, (-1,)) for p in params], axis=0)


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in order (in place, no graph).

    Example:
        >>> layer = nt.nn.Linear(3, 2)
        >>> nt.nn.utils.vector_to_parameters(nt.zeros(8), layer.parameters())
        >>> float(np.abs(layer.weight.numpy()).sum())
        0.0
    """
    params = _tensors("vector_to_parameters", parameters)
    data = vec.data if isinstance(vec, Tensor) else vec
    if getattr(data, "ndim", None) != 1:
        raise TypeError(f"vector_to_parameters: expected a 1-D vector, got {type(vec).__name__} of shape "
                        f"{getattr(data, 'shape', None)}")
    total = sum(p.data.size for p in params)
    if data.shape[0] != total:
        raise ValueError(f"vector_to_parameters: the parameters hold {total} values, the vector {data.shape[0]}")
    start = 0
    for p in params:
        n = p.data.size
        p.data[...] = data[start:start + n].reshape(p.data.shape)
        start += n
