"""Shape and indexing ops: float64 gradient checks, PyTorch parity, dtypes, error messages."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as S  # shape.py and indexing.py, through the package
from tests.helpers import check_grad, check_parity


@pytest.fixture
def a(rng):
    return rng.standard_normal((2, 3, 4)).astype(np.float32)


CASES = [  # (name, neuronet function); torch_cases gives the torch counterparts
    ("reshape", lambda x: S.reshape(x, 4, 6)),
    ("reshape_tuple_neg", lambda x: S.reshape(x, (-1, 2))),
    ("transpose_none", lambda x: S.transpose(x)),
    ("transpose_axes", lambda x: S.transpose(x, (1, 2, 0))),
    ("permute", lambda x: S.permute(x, 2, 0, 1)),
    ("swapaxes", lambda x: S.swapaxes(x, 0, -1)),
    ("unsqueeze", lambda x: S.unsqueeze(x, 1)),
    ("unsqueeze_neg", lambda x: S.unsqueeze(x, -1)),
    ("squeeze", lambda x: S.squeeze(S.unsqueeze(x, 0))),
    ("squeeze_axis", lambda x: S.squeeze(S.unsqueeze(x, 2), axis=2)),
    ("expand", lambda x: S.expand(x[:, :1], 5, -1, 3, 4)),
    ("broadcast_to", lambda x: S.broadcast_to(x[:1], (2, 2, 3, 4))),
    ("flatten", lambda x: S.flatten(x)),
    ("flatten_0", lambda x: S.flatten(x, 0, 1)),
    ("concat", lambda x: S.concat([x, x * 2, x[:, :1]], axis=1)),
    ("cat_dim", lambda x: S.cat([x, x], dim=-1)),
    ("stack", lambda x: S.stack([x, x * 3], axis=1)),
    ("stack_last", lambda x: S.stack([x, x], dim=-1)),
    ("split_sizes", lambda x: S.split(x, [1, 3], axis=2)),
    ("split_sections", lambda x: S.split(x, 2, axis=2)),
    ("split_unused_piece", lambda x: S.split(x, 3, axis=1)[1]),
    ("tile", lambda x: S.tile(x, (2, 1, 3))),
    ("tile_more_dims", lambda x: S.tile(x, (2, 1, 1, 2))),
    ("repeat_axis", lambda x: S.repeat(x, 2, axis=1)),
    ("repeat_flat", lambda x: S.repeat(x, 3)),
    ("repeat_counts", lambda x: S.repeat(x, [2, 0, 1], axis=1)),
    ("gather0", lambda x: S.gather(x, 0, nt.tensor(np.array([[[1, 0, 1, 1]], [[0, 0, 1, 0]]])))),
    ("gather_last_dup", lambda x: S.gather(x, -1, np.array([[[3, 3, 0], [1, 1, 1]]]))),
    ("pad_constant", lambda x: S.pad(x, ((0, 0), (1, 2), (3, 0)), value=0.5)),
    ("pad_int", lambda x: S.pad(x, 1)),
    ("pad_reflect", lambda x: S.pad(x, ((0, 0), (2, 1), (1, 3)), mode="reflect")),
    ("pad_replicate", lambda x: S.pad(x, ((0, 0), (2, 1), (1, 3)), mode="replicate")),
    ("pad_circular", lambda x: S.pad(x, ((0, 0), (2, 1), (1, 3)), mode="circular")),
]


def torch_cases(torch):
    """The torch function for each CASES entry."""
    tF = torch.nn.functional
    return {
        "reshape": lambda x: x.reshape(4, 6),
        "reshape_tuple_neg": lambda x: x.reshape(-1, 2),
        "transpose_none": lambda x: x.permute(2, 1, 0),
        "transpose_axes": lambda x: x.permute(1, 2, 0),
        "permute": lambda x: x.permute(2, 0, 1),
        "swapaxes": lambda x: torch.transpose(x, 0, -1),
        "unsqueeze": lambda x: x.unsqueeze(1),
        "unsqueeze_neg": lambda x: x.unsqueeze(-1),
        "squeeze": lambda x: x.unsqueeze(0).squeeze(),
        "squeeze_axis": lambda x: x.unsqueeze(2).squeeze(2),
        "expand": lambda x: x[:, :1].expand(5, -1, 3, 4),
        "broadcast_to": lambda x: torch.broadcast_to(x[:1], (2, 2, 3, 4)),
        "flatten": lambda x: torch.flatten(x, 1),
        "flatten_0": lambda x: torch.flatten(x, 0, 1),
        "concat": lambda x: torch.cat([x, x * 2, x[:, :1]], 1),
        "cat_dim": lambda x: torch.cat([x, x], dim=-1),
        "stack": lambda x: torch.stack([x, x * 3], 1),
        "stack_last": lambda x: torch.stack([x, x], -1),
        "split_sizes": lambda x: torch.split(x, [1, 3], 2),
        "split_sections": lambda x: torch.split(x, 2, 2),
        "split_unused_piece": lambda x: torch.split(x, 1, 1)[1],
        "tile": lambda x: torch.tile(x, (2, 1, 3)),
        "tile_more_dims": lambda x: torch.tile(x, (2, 1, 1, 2)),
        "repeat_axis": lambda x: torch.repeat_interleave(x, 2, dim=1),
        "repeat_flat": lambda x: torch.repeat_interleave(x, 3),
        "repeat_counts": lambda x: torch.repeat_interleave(x, torch.tensor([2, 0, 1]), dim=1),
        "gather0": lambda x: torch.gather(x, 0, torch.tensor([[[1, 0, 1, 1]], [[0, 0, 1, 0]]])),
        "gather_last_dup": lambda x: torch.gather(x, -1, torch.tensor([[[3, 3, 0], [1, 1, 1]]])),
        "pad_constant": lambda x: tF.pad(x, (3, 0, 1, 2), value=0.5),
        "pad_int": lambda x: tF.pad(x, (1, 1, 1, 1, 1, 1)),
        "pad_reflect": lambda x: tF.pad(x, (1, 3, 2, 1), mode="reflect"),
        "pad_replicate": lambda x: tF.pad(x, (1, 3, 2, 1), mode="replicate"),
        "pad_circular": lambda x: tF.pad(x, (1, 3, 2, 1), mode="circular"),
    }


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_grad(name, fn, a):
    check_grad(fn, a)


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_parity(name, fn, a, torch):
    check_parity(fn, torch_cases(torch)[name], a)


INDEXES = [
    ("int", 1), ("neg_int", -1), ("slice", slice(None, None, 2)), ("tuple_basic", (1, slice(0, 2), -1)),
    ("ellipsis", (Ellipsis, 2)), ("none", (None, 0)), ("step_slice", (slice(None), slice(None, None, -1))),
    ("int_array", np.array([0, 1, 1, 0])), ("list", [1, 0, 1]), ("two_arrays", (np.array([0, 1, 1]), np.array([2, 2, 0]))),
    ("array_and_slice", (slice(None), np.array([2, 2, 1]))), ("full_scalar", (1, 2, 3)),
    ("mask_rows", np.array([True, False])), ("mask_full", "mask3"), ("mask_then_slice", (np.array([False, True]), slice(1, 3))),
]


@pytest.mark.parametrize("name,index", INDEXES, ids=[i[0] for i in INDEXES])
def test_getitem_grad(name, index, a):
    if isinstance(index, str):
        index = a > 0
    check_grad(lambda x: S.getitem(x, index), a)


@pytest.mark.parametrize("name,index", INDEXES, ids=[i[0] for i in INDEXES])
def test_getitem_parity(name, index, a, torch):
    if isinstance(index, str):
        index = a > 0
    t_index = tuple(torch.tensor(p) if isinstance(p, (np.ndarray, list)) else p for p in index) \
        if isinstance(index, tuple) else (torch.tensor(index) if isinstance(index, (np.ndarray, list)) else index)
    tfn = (lambda x: torch.flip(x, [1])) if name == "step_slice" else (lambda x: x[t_index])  # torch: no negative steps
    check_parity(lambda x: x[index], tfn, a)


def test_getitem_with_tensor_indices(a):
    x = nt.tensor(a, requires_grad=True)
    idx = nt.tensor([1, 1, 0])
    mask = nt.tensor(a[0] > 0)
    y = x[idx] .sum() + x[0][mask].sum()
    y.backward()
    expected = np.zeros_like(a)
    expected[0] += 1
    expected[1] += 2
    expected[0] += (a[0] > 0)
    np.testing.assert_array_equal(x.grad, expected)


def test_getitem_bad_index_names_getitem(a):
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3, 4\)"):
        S.getitem(nt.tensor(a), (0, 5))


@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_float32_in_float32_out(name, fn, a):
    x = nt.tensor(a, requires_grad=True)
    ys = fn(x)
    ys = ys if isinstance(ys, tuple) else (ys,)
    for y in ys:
        assert y.dtype == np.float32
    ys[0].backward(np.ones(ys[0].shape, np.float32))
    assert x.grad.dtype == np.float32


def test_transpose_and_reshape_backward_are_views(a):
    x = nt.tensor(a, requires_grad=True)
    S.transpose(S.reshape(x, 6, 4)).backward(np.ones((4, 6), np.float32))
    np.testing.assert_array_equal(x.grad, np.ones_like(a))


ERRORS = [
    ("reshape", lambda x: S.reshape(x, 5, 5), r"reshape.*\(2, 3, 4\).*\(5, 5\)"),
    ("concat", lambda x: S.concat([x, x[:, :, :2]], axis=1), r"concat.*\(2, 3, 4\).*\(2, 3, 2\)"),
    ("concat_axis", lambda x: S.concat([x, x], axis=3), r"concat: axis 3"),
    ("stack", lambda x: S.stack([x, x[:1]]), r"stack.*\(2, 3, 4\).*\(1, 3, 4\)"),
    ("stack_empty", lambda x: S.stack([]), r"stack: expected a non-empty"),
    ("expand", lambda x: S.expand(x, 2, 5, 4), r"expand.*\(2, 3, 4\).*\(2, 5, 4\)"),
    ("broadcast_to", lambda x: S.broadcast_to(x, (3, 4)), r"broadcast_to.*\(2, 3, 4\).*\(3, 4\)"),
    ("gather_ndim", lambda x: S.gather(x, 1, np.zeros((2, 3), np.int64)), r"gather.*\(2, 3\).*\(2, 3, 4\)"),
    ("gather_range", lambda x: S.gather(x, 1, np.full((2, 3, 4), 3)), r"gather.*\[0, 3\)"),
    ("gather_dtype", lambda x: S.gather(x, 1, np.zeros((2, 3, 4))), r"gather.*integer"),
    ("squeeze", lambda x: S.squeeze(x, 1), r"squeeze: axis 1 has length 3"),
    ("split", lambda x: S.split(x, 3, axis=2), r"split.*length 4.*3 equal"),
    ("split_sizes", lambda x: S.split(x, [1, 2], axis=2), r"split.*add up to 4"),
    ("pad_form", lambda x: S.pad(x, (1, 1, 2, 2)), r"pad: pad_width"),
    ("pad_mode", lambda x: S.pad(x, 1, mode="mirror"), r"pad: unknown mode"),
    ("pad_reflect", lambda x: S.pad(x, ((0, 0), (0, 0), (4, 0)), mode="reflect"), r"pad: reflect"),
    ("transpose", lambda x: S.transpose(x, (0, 1)), r"transpose.*permutation"),
    ("flatten", lambda x: S.flatten(x, 2, 1), r"flatten"),
    ("repeat", lambda x: S.repeat(x, [1, 2], axis=1), r"repeat: expected 3"),
]


@pytest.mark.parametrize("name,fn,pattern", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_name_the_op_and_shapes(name, fn, pattern, a):
    with pytest.raises((ValueError, TypeError), match=pattern):
        fn(nt.tensor(a))


def test_pad_numpy_pair_form_pads_every_axis(rng):
    a = rng.standard_normal((2, 3))
    np.testing.assert_array_equal(S.pad(nt.tensor(a), (1, 2)).numpy(), np.pad(a, (1, 2)))
    check_grad(lambda x: S.pad(x, (1, 2), mode="edge"), a)
    check_grad(lambda x: S.pad(x, 2, mode="wrap"), a)


@pytest.mark.parametrize("shapes", [[(2, 3), (4, 3)], [(5,), (1,), (2,)]])
def test_concat_grad_various_shapes(shapes, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    check_grad(lambda *xs: S.concat(xs), *arrays)


def test_stack_and_concat_with_non_grad_inputs(rng):
    a = rng.standard_normal((2, 3)).astype(np.float32)
    x, c = nt.tensor(a, requires_grad=True), nt.tensor(a)
    S.stack([c, x, c]).sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones_like(a))
    assert c.grad is None
