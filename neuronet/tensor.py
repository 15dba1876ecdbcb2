"""Tensor: an array, its gradient, and the Function that made it.

The graph is dynamic: every operation on tensors that need gradients records the
:class:`~neuronet.autograd.Function` that produced its result in ``_creator``.
``backward`` and the Python operators are installed onto this class by the layers below
(``autograd`` and ``functional``), so this file depends on nothing but the backend.
"""
from __future__ import annotations

from . import backend
from .backend import np

__all__ = ["Tensor", "tensor", "as_array", "Size"]


REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floating point: the dtypes neuronet computes with


def refuse_non_real(where: str, dtype) -> None:
    """Raise a TypeError naming ``where`` unless ``dtype`` is real (bool, integer or floating point).

    Complex numbers would be computed and then lose their imaginary part in backward; objects and
    strings fail deep inside NumPy.  PyTorch refuses object arrays the same way.
    """
    kind = getattr(dtype, "kind", None)
    if kind is not None and kind not in REAL_KINDS:
        what = {"c": "complex numbers", "O": "Python objects", "U": "strings", "S": "byte strings"}.get(
            kind, f"values of kind {kind!r}")
        raise TypeError(f"{where}: got data of dtype {dtype} ({what}); neuronet computes with real numbers only "
                        f"(bool, integer or floating point)" + (" - take .real or abs() first" if kind == "c" else ""))


def as_array(data, dtype=None, xp=None, where: str = "nt.tensor"):
    """``data`` as an array of the backend, with floats in the default dtype unless ``dtype`` is given.

    Non-real data (complex, objects, strings) is refused with a TypeError naming ``where``.
    """
    if isinstance(data, Tensor):
        data = data.data
    xp = xp or backend.array_module(data)
    if dtype is not None:
        try:
            dtype = xp.dtype(dtype)
        except TypeError as e:
            raise TypeError(f"{where}: dtype {dtype!r} is not a dtype ({e})") from None
        refuse_non_real(where, dtype)
        refuse_non_real(where, getattr(data, "dtype", None))
        try:
            return xp.asarray(data, dtype=dtype)
        except (TypeError, ValueError, OverflowError) as e:  # ragged lists, nan or 300 into integers, ...
            kind = TypeError if isinstance(e, TypeError) else ValueError
            raise kind(f"{where}: cannot make an array of dtype {dtype} from {type(data).__name__} data: {e}") from None
    try:
        arr = xp.asarray(data)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{where}: cannot make an array of {type(data).__name__} data: {e}") from None
    refuse_non_real(where, arr.dtype)
    if arr.dtype.kind == "f" and not isinstance(data, xp.ndarray):
        # Python floats and lists become the default dtype; existing arrays keep theirs.
        arr = arr.astype(backend.get_default_dtype(), copy=False)
    elif arr.dtype.kind in "iu" and arr.dtype != np.int64 and not isinstance(data, xp.ndarray):
        arr = arr.astype(np.int64, copy=False)
    return arr


class Size(int):
    """``Tensor.size``: an int, the number of elements (as NumPy's ``array.size``), that can also be
    called as PyTorch's ``Tensor.size(dim=None)``: ``t.size()`` is the shape tuple, ``t.size(0)`` the
    first dimension (negative dims count from the end).  Both habits work on one attribute."""

    def __new__(cls, shape):
        n = 1
        for d in shape:
            n *= int(d)
        obj = super().__new__(cls, n)
        obj.shape = tuple(int(d) for d in shape)
        return obj

    def __call__(self, dim=None):
        if dim is None:
            return self.shape
        ndim = len(self.shape)
        if isinstance(dim, bool) or not isinstance(dim, int) or not -ndim <= dim < ndim:
            raise IndexError(f"Tensor.size: dim {dim!r} is out of range for a tensor with {ndim} dimensions "
                             f"(shape {self.shape})")
        return self.shape[dim]


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Args:
        data: array-like (NumPy/CuPy array, nested lists, scalar).
        requires_grad: record operations so that ``backward`` can fill ``grad``.
        dtype: array dtype; floats default to ``nt.get_default_dtype()`` (float32).

    ``grad`` is a plain array of the same shape as ``data`` (or None), filled by ``backward``
    on leaf tensors and on tensors that called ``retain_grad()``.

    Example:
        >>> x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x ** 2).sum()
        >>> y.backward()
        >>> x.grad  # d/dx sum(x^2) = 2x
        array([2., 4., 6.], dtype=float32)
        >>> y.item(), x.reshape(3, 1).shape, x.detach().requires_grad
        (14.0, (3, 1), False)
    """

    __slots__ = ("data", "grad", "requires_grad", "_creator", "_index", "_retain", "name", "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = as_array(data, dtype)
        if requires_grad and self.data.dtype.kind not in "fc":
            raise TypeError(f"Tensor: only floating-point tensors can require gradients, got dtype {self.data.dtype}")
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._creator = None  # the Function that produced this tensor (None for leaves)
        self._index = 0  # which output of its creator this tensor is
        self._retain = False
        self.name = name

    # --- array facts -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> "Size":
        """The number of elements (NumPy's ``t.size``), which is also PyTorch's ``t.size()``: called, it
        gives the shape, ``t.size(dim)`` one dimension.

        Example:
            >>> t = nt.zeros(2, 3)
            >>> t.size, t.size(), t.size(1)  # NumPy's count, PyTorch's shape and one dimension
            (6, (2, 3), 3)
        """
        return Size(self.data.shape)

    @property
    def device(self) -> str:
        return backend.device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        return self._creator is None

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def numel(self) -> int:
        return int(self.data.size)

    def dim(self) -> int:
        return self.data.ndim

    # --- conversions -------------------------------------------------------------------------
    def numpy(self):
        """The data as a NumPy array (a copy when the data lives on a GPU).

        Example:
            >>> nt.tensor([1.0, 2.0]).numpy()
            array([1., 2.], dtype=float32)
        """
        return backend.to_numpy(self.data)

    def item(self):
        """The single value of a one-element tensor as a Python number.

        Example:
            >>> nt.tensor([[2.5]]).item()
            2.5
        """
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.reshape(()).item()

    def tolist(self):
        return backend.to_numpy(self.data).tolist()

    def cpu(self) -> "Tensor":
        """This tensor when its data is on the CPU (the graph is kept, as PyTorch's ``.cpu()``), else a CPU copy."""
        return self if backend.device_of(self.data) == "cpu" else self.to("cpu")

    def cuda(self) -> "Tensor":
        """A copy of this tensor on the GPU (CuPy); this tensor itself when it is there already."""
        return self if backend.device_of(self.data) == "cuda" else self.to("cuda")

    def contiguous(self) -> "Tensor":
        """This tensor (every operation here takes any memory layout; PyTorch's ``.contiguous()``)."""
        return self

    def detach(self) -> "Tensor":
        """A tensor sharing this data but cut from the graph (no gradient flows through it).

        Example:
            >>> x = nt.tensor([1.0], requires_grad=True)
            >>> y = (x * 2).detach()
            >>> y.requires_grad, y.is_leaf
            (False, True)
        """
        return Tensor(self.data, dtype=self.data.dtype)

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Start (or stop) recording operations on this tensor, in place; returns it (PyTorch's).

        Example:
            >>> w = nt.zeros(3).requires_grad_()
            >>> (w + 1).sum().backward()
            >>> w.grad
            array([1., 1., 1.], dtype=float32)
        """

        if flag and self.data.dtype.kind not in "fc":
            raise TypeError(f"Tensor.requires_grad_: only floating-point tensors can require gradients, got dtype "
                            f"{self.data.dtype}")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> None:
        """Keep ``grad`` on this non-leaf tensor after ``backward`` (leaves always keep it).

        Example:
            >>> x = nt.tensor([1.0, 2.0], requires_grad=True)
            >>> h = x * 3
            >>> h.retain_grad()
            >>> (h * h).sum().backward()
            >>> h.grad  # 2h, kept on the intermediate tensor
            array([ 6., 12.], dtype=float32)
        """
        self._retain = True

    def astype(self, dtype) -> "Tensor":
        """A non-differentiable copy in another dtype (use ``F.cast`` to keep the graph).

        Example:
            >>> nt.tensor([1.7, -1.7]).astype(np.int64).tolist()
            [1, -1]
        """
        refuse_non_real("Tensor.astype", np.dtype(dtype))
        return Tensor(self.data.astype(dtype), dtype=dtype)

    def to(self, *args, device=None, dtype=None) -> "Tensor":
        """This tensor on another device and/or in another dtype, PyTorch's ``t.to(device)``,
        ``t.to(dtype)``, ``t.to(device, dtype)``, ``t.to(other_tensor)``.

        Nothing to change returns the tensor itself (as in PyTorch).  A dtype change keeps the graph
        (``cast``, floating dtypes); a device move gives a copy on ``'cpu'`` or ``'cuda'`` (a leaf,
        same requires_grad).

        Example:
            >>> nt.tensor([1.0]).to(np.float64).dtype, nt.tensor([1.0]).to("cpu").device
            (dtype('float64'), 'cpu')
        """
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "gpu"):
                device = a
            else:
                dtype = a
        out = self
        if dtype is not None:
            try:
                dtype = np.dtype(dtype)
            except TypeError:
                raise TypeError(f"Tensor.to: {dtype!r} is neither a device ('cpu', 'cuda') nor a dtype") from None
            refuse_non_real("Tensor.to", dtype)
            if dtype != self.data.dtype:  # floats through cast (installed by functional: keeps the graph)
                out = out.cast(dtype) if dtype.kind == "f" else Tensor(self.data.astype(dtype), dtype=dtype)
        if device is not None and backend.device_of(out.data) != ("cuda" if str(device).startswith(("cuda", "gpu"))
                                                                 else str(device)):
            out = Tensor(backend.to_device(out.data, str(device).split(":")[0]), requires_grad=out.requires_grad)
        return out

    def zero_grad(self) -> None:
        """Forget the gradient (``grad`` becomes None, as PyTorch's ``set_to_none``).

        Example:
            >>> x = nt.tensor([1.0], requires_grad=True)
            >>> (x * 2).sum().backward()
            >>> x.zero_grad()
            >>> x.grad is None
            True
        """

        self.grad = None

    def __array__(self, dtype=None, copy=None):
        arr = backend.to_numpy(self.data)
        return arr.astype(dtype) if dtype is not None else arr

    def __repr__(self) -> str:
        body = np.array2string(backend.to_numpy(self.data), separator=", ", precision=4,
                               prefix="tensor(", threshold=200)
        extra = ""
        if self.data.dtype != backend.get_default_dtype():
            extra += f", dtype={self.data.dtype}"
        if self._creator is not None:
            extra += f", grad_fn=<{type(self._creator).__name__}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError("the truth value of a tensor with more than one element is ambiguous; "
                             "use .any() or .all()")
        return bool(self.data)

    def __hash__(self):
        return id(self)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Make a tensor from array-like ``data``: Python floats and lists become the default dtype (float32),
    NumPy arrays keep theirs (float64 stays float64, as in ``torch.tensor``); ``dtype`` overrides both.

    Example:
        >>> t = nt.tensor([[1, 2], [3, 4.0]], requires_grad=True)
        >>> t.shape, t.dtype
        ((2, 2), dtype('float32'))
        >>> nt.tensor([1, 2]).dtype, nt.tensor(np.ones(2)).dtype  # integers stay integers, arrays keep theirs
        (dtype('int64'), dtype('float64'))
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)
