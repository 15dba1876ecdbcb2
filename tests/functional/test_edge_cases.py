"""Functions at the edges of their domain match PyTorch or fail clearly (issue 14).

Degenerate statistics (std of a constant, n − ddof <= 0), exponents and roots at 0, non-real
data, empty batches and empty axes, and shapes that do not broadcast.  Where PyTorch defines a
value the test compares with torch; where it refuses, neuronet must refuse with a message that
names the function.
"""
import warnings

import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from tests.helpers import check_grad


def _run(fn, *arrays, cotangent=None):
    """fn on float64 tensors that require grad: (output array, input gradients)."""
    xs = [nt.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    y = fn(*xs)
    y.backward(np.ones(y.shape) if cotangent is None else cotangent)
    return y.numpy(), [x.grad for x in xs]


def _run_torch(torch, fn, *arrays, cotangent=None):
    xs = [torch.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    y = fn(*xs)
    y.backward(torch.ones_like(y) if cotangent is None else torch.tensor(cotangent))
    return y.detach().numpy(), [x.grad.numpy() for x in xs]


def _same(a, b, what):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12, equal_nan=True, err_msg=what)


# --- 1. statistics and roots at degenerate points -------------------------------------------------

@pytest.mark.parametrize("root", [False, True], ids=["var", "std"])
@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("ddof", [0, 1, 2, 3])
@pytest.mark.parametrize("constant", [True, False], ids=["constant", "varying"])
def test_var_std_match_torch_at_every_degree_of_freedom(root, n, ddof, constant, torch):
    """Constant input: std's gradient is 0 (was nan); n − ddof <= 0: the value is Σ(x−mean)²/0 (nan or
    inf, never a negative variance) and the gradient nan where x = mean, inf elsewhere, as PyTorch's."""
    x = np.ones(n) if constant else np.arange(1.0, n + 1)
    name = "std" if root else "var"
    nt_fn = (lambda t: F.std(t, ddof=ddof)) if root else (lambda t: F.var(t, ddof=ddof))
    if n - ddof <= 0:
        with pytest.warns(RuntimeWarning, match="degrees of freedom"):
            y, (g,) = _run(nt_fn, x)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no NumPy divide-by-zero warning either
            y, (g,) = _run(nt_fn, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about the degrees of freedom too
        ty, (tg,) = _run_torch(torch, lambda t: getattr(t, name)(correction=ddof), x)
    _same(y, ty, f"{name} value")
    _same(g, tg, f"{name} gradient")


@pytest.mark.parametrize("ddof", [0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_std_gradient_is_zero_on_constant_rows(ddof, keepdims, torch):
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0], [-3.0, -3.0, -3.0]])
    cot = np.array([[1.0, -2.0, 0.5]]).reshape((3, 1) if keepdims else (3,))
    y, (g,) = _run(lambda t: F.std(t, axis=1, ddof=ddof, keepdims=keepdims), x, cotangent=cot)
    ty, (tg,) = _run_torch(torch, lambda t: t.std(dim=1, correction=ddof, keepdim=keepdims), x, cotangent=cot)
    assert not np.isnan(g).any()
    _same(y, ty, "std value")
    _same(g, tg, "std gradient")
    np.testing.assert_array_equal(g[[0, 2]], 0.0)


def test_var_gradcheck_at_a_constant_input():
    """var is differentiable at a constant input (gradient 0): central differences agree."""
    check_grad(lambda t: F.var(t, axis=1, ddof=1), np.full((2, 3), 1.5))


def test_std_gradcheck_with_one_constant_row_excluded_by_the_mask():
    check_grad(lambda t: F.std(t, axis=-1, ddof=1), np.array([[0.5, -1.0, 2.0], [3.0, 1.0, 1.5]]))


def test_sqrt_at_zero_is_an_infinite_gradient_without_a_warning(torch):
    """PyTorch: d sqrt(x)/dx at 0 is +inf (no warning); NumPy's divide-by-zero warning is not raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, (g,) = _run(F.sqrt, [0.0, 4.0])
    ty, (tg,) = _run_torch(torch, torch.sqrt, [0.0, 4.0])
    _same(y, ty, "sqrt")
    _same(g, tg, "sqrt gradient")


@pytest.mark.parametrize("p", [0, 0.0, 1, 2, 0.5, 1.5, -1.0])
def test_pow_scalar_exponent_at_zero_matches_torch(p, torch):
    """x**0 has gradient 0 everywhere, also at x = 0 (was 0·0^(−1) = nan)."""
    x = [0.0, -2.0, 3.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, (g,) = _run(lambda t: t ** p, x)
    ty, (tg,) = _run_torch(torch, lambda t: t ** p, x)
    _same(y, ty, f"x**{p}")
    _same(g, tg, f"d x**{p}/dx")


def test_pow_tensor_exponent_at_zero_matches_torch(torch):
    """Both gradients of a**b over a grid of bases (0 included) and exponents (0 and negatives
    included): PyTorch's rules, d/da = 0 where b = 0 and d/db = 0 where a = 0 and b >= 0."""
    a, b = np.meshgrid([0.0, 2.0, 0.5, -1.0], [0.0, 1.0, 2.0, 0.5, -1.0, -2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, (ga, gb) = _run(F.pow, a, b)
        ty, (tga, tgb) = _run_torch(torch, torch.pow, a, b)
    _same(y, ty, "a**b")
    _same(ga, tga, "d a**b / da")
    _same(gb, tgb, "d a**b / db")


def test_normalisations_of_a_constant_input_have_no_nan(torch, TF):
    """A constant input has variance 0: layer norm, group norm and batch norm give zeros and zero
    gradients (eps keeps 1/σ finite), as PyTorch."""
    x = np.full((3, 4, 5), 0.75)
    cases = [
        (lambda t: F.layer_norm(t, (5,)), lambda t: TF.layer_norm(t, (5,))),
        (lambda t: F.layer_norm(t, (4, 5)), lambda t: TF.layer_norm(t, (4, 5))),
        (lambda t: F.batch_norm(t, None, None, training=True), lambda t: TF.batch_norm(t, None, None, training=True)),
    ]
    cot = np.random.default_rng(0).standard_normal(x.shape)
    for nt_fn, t_fn in cases:
        y, (g,) = _run(nt_fn, x, cotangent=cot)
        ty, (tg,) = _run_torch(torch, t_fn, x, cotangent=cot)
        assert not np.isnan(y).any() and not np.isnan(g).any()
        _same(y, ty, "normalised constant")
        np.testing.assert_allclose(g, tg, atol=1e-6)
    gn = nt.nn.GroupNorm(2, 4)
    xt = nt.tensor(x.astype(np.float32), requires_grad=True)
    out = gn(xt)
    out.backward(cot.astype(np.float32))
    assert not np.isnan(out.numpy()).any() and not np.isnan(xt.grad).any()
    tx = torch.tensor(x, requires_grad=True)
    TF.group_norm(tx, 2).backward(torch.tensor(cot))
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-5, atol=1e-5)  # float32 against float64


# --- 2. non-real data is refused where it enters ------------------------------------------------

@pytest.mark.parametrize("data,what", [
    (np.array([1 + 2j, 3.0]), "complex numbers"),
    (np.array([1.0, 2.0], dtype=object), "Python objects"),
    (["a", "b"], "strings"),
    ([1j, 2.0], "complex numbers"),
])
def test_tensor_refuses_non_real_data(data, what):
    with pytest.raises(TypeError, match=rf"nt.tensor: .*\({what}.*real numbers only"):
        nt.tensor(data)


def test_casts_to_complex_are_refused():
    t = nt.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="Tensor.astype"):
        t.astype(np.complex64)
    with pytest.raises(TypeError, match="cast"):
        F.cast(t, np.complex128)


def test_functions_refuse_raw_complex_and_object_arrays():
    """Arrays passed straight to a function (not through nt.tensor) are checked where every
    operation starts (Function.apply): the error names the operation, nothing is computed."""
    w = nt.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="Affine.*complex"):
        F.linear(np.ones((4, 2)) + 1j, w)
    with pytest.raises(TypeError, match="ReLU.*object"):
        F.relu(np.array([1.0, -1.0], dtype=object))
    with pytest.raises(TypeError, match="Mul.*complex"):
        F.mul(nt.tensor([1.0, 2.0]), 1j)
    assert w.grad is None


def test_integer_and_bool_data_still_work():
    """Only non-real kinds are refused: integers and booleans keep today's behaviour."""
    assert nt.tensor([1, 2]).dtype == np.int64
    assert nt.tensor([True, False]).dtype == np.bool_
    assert nt.tensor(np.array([1, 2], np.int32)).dtype == np.int32
    y = F.add(nt.tensor([1.5, 2.5]), nt.tensor([1, 2]))
    assert y.dtype == np.float32 and y.tolist() == [2.5, 4.5]


# --- 4. empty batches and empty axes -----------------------------------------------------------

def _empty_case(torch, nt_fn, t_fn, x_shape, params):
    """Run both on an empty input with float32 parameters: same output shape, empty input
    gradient, zero parameter gradients."""
    rng = np.random.default_rng(0)
    arrays = [np.zeros(x_shape, np.float32)] + [rng.standard_normal(s).astype(np.float32) for s in params]
    xs = [nt.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = nt_fn(*xs), t_fn(*ts)
    y, ty = (y[0] if isinstance(y, tuple) else y), (ty[0] if isinstance(ty, tuple) else ty)
    assert tuple(y.shape) == tuple(ty.shape)
    y.sum().backward()
    ty.sum().backward()
    for x, t in zip(xs, ts):
        assert x.grad is not None and x.grad.shape == tuple(t.grad.shape)
        np.testing.assert_array_equal(x.grad, t.grad.numpy())


SAME_CALL = [  # (function name in F and in torch.nn.functional, x's shape, parameter shapes, keyword arguments)
    ("conv2d", (0, 2, 5, 5), [(3, 2, 3, 3), (3,)], dict(padding=1)),
    ("conv1d", (0, 2, 7), [(4, 2, 3)], dict(stride=2)),
    ("conv_transpose2d", (0, 2, 4, 4), [(2, 3, 3, 3), (3,)], dict(stride=2)),
    ("conv_transpose1d", (0, 2, 4), [(2, 3, 3)], {}),
    ("linear", (0, 4), [(2, 4), (2,)], {}),
    ("max_pool2d", (0, 3, 4, 4), [], dict(kernel_size=2)),
    ("max_pool2d", (0, 3, 5, 5), [], dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool1d", (0, 3, 6), [], dict(kernel_size=2)),
    ("avg_pool2d", (0, 3, 5, 5), [], dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool1d", (0, 3, 6), [], dict(kernel_size=2)),
    ("adaptive_avg_pool2d", (0, 3, 5, 5), [], dict(output_size=2)),
    ("softmax", (0, 3), [], dict(dim=-1)),
    ("softmax", (2, 0), [], dict(dim=-1)),
    ("log_softmax", (2, 0, 3), [], dict(dim=1)),
]

OTHER = {  # name: (neuronet function, torch function from (torch, TF), x's shape, parameter shapes)
    "conv2d_relu": (lambda x, w, b: F.conv2d(x, w, b, activation="relu"),
                    lambda torch, TF: lambda x, w, b: TF.conv2d(x, w, b).relu(), (0, 2, 5, 5), [(3, 2, 3, 3), (3,)]),
    "conv2d_max_pool2d": (lambda x, w, b: F.conv2d_max_pool2d(x, w, b, activation="relu"),
                          lambda torch, TF: lambda x, w, b: TF.max_pool2d(TF.conv2d(x, w, b).relu(), 2),
                          (0, 2, 6, 6), [(3, 2, 3, 3), (3,)]),
    "global_max_pool2d": (F.global_max_pool2d, lambda torch, TF: lambda x: TF.adaptive_max_pool2d(x, 1).flatten(1),
                          (0, 3, 4, 4), []),
    "global_avg_pool2d": (F.global_avg_pool2d, lambda torch, TF: lambda x: TF.adaptive_avg_pool2d(x, 1).flatten(1),
                          (0, 3, 4, 4), []),
    "batch_norm_train": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         lambda torch, TF: lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True),
                         (0, 3, 4, 4), [(3,), (3,)]),
    "batch_norm_eval": (lambda x, w, b: F.batch_norm(x, np.zeros(3, np.float32), np.ones(3, np.float32), w, b),
                        lambda torch, TF: lambda x, w, b: TF.batch_norm(x, torch.zeros(3), torch.ones(3), w, b),
                        (0, 3), [(3,), (3,)]),
    "batch_norm_no_positions": (lambda x: F.batch_norm(x, None, None, training=True),
                                lambda torch, TF: lambda x: TF.batch_norm(x, None, None, training=True), (4, 3, 0), []),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3,), w, b),
                   lambda torch, TF: lambda x, w, b: TF.layer_norm(x, (3,), w, b), (0, 3), [(3,), (3,)]),
    "flatten": (F.flatten, lambda torch, TF: lambda x: x.flatten(1), (0, 2, 3), []),
    "lstm": (lambda x, wi, wh, bi, bh: F.lstm(x, None, None, wi, wh, bi, bh),
             lambda torch, TF: _torch_recurrent(torch, "LSTM"), (0, 5, 4), [(12, 4), (12, 3), (12,), (12,)]),
    "gru": (lambda x, wi, wh, bi, bh: F.gru(x, None, wi, wh, bi, bh),
            lambda torch, TF: _torch_recurrent(torch, "GRU"), (0, 5, 4), [(9, 4), (9, 3), (9,), (9,)]),
    "rnn": (lambda x, wi, wh, bi, bh: F.rnn(x, None, wi, wh, bi, bh),
            lambda torch, TF: _torch_recurrent(torch, "RNN"), (0, 5, 4), [(3, 4), (3, 3), (3,), (3,)]),
}


def _torch_recurrent(torch, cls):
    """torch.nn.<cls>(4, 3) run with the given weights: (x, w_ih, w_hh, b_ih, b_hh) -> output sequence."""
    module = getattr(torch.nn, cls)(4, 3, batch_first=True)

    def run(x, wi, wh, bi, bh):
        params = {"weight_ih_l0": wi, "weight_hh_l0": wh, "bias_ih_l0": bi, "bias_hh_l0": bh}
        return torch.func.functional_call(module, params, (x,))[0]
    return run


@pytest.mark.parametrize("name,x_shape,params,kwargs", SAME_CALL, ids=[f"{c[0]}-{c[1]}" for c in SAME_CALL])
def test_empty_inputs_give_empty_outputs_and_zero_gradients_like_torch(name, x_shape, params, kwargs, torch, TF):
    kw = {"axis" if k == "dim" else k: v for k, v in kwargs.items()}
    _empty_case(torch, lambda *a: getattr(F, name)(*a, **kw), lambda *a: getattr(TF, name)(*a, **kwargs),
                x_shape, params)


@pytest.mark.parametrize("case", list(OTHER))
def test_empty_batches_give_empty_outputs_and_zero_gradients_like_torch(case, torch, TF):
    nt_fn, t_fn, x_shape, params = OTHER[case]
    _empty_case(torch, nt_fn, t_fn(torch, TF), x_shape, params)


def test_empty_recurrent_outputs_and_states():
    x = nt.tensor(np.zeros((0, 5, 4), np.float32), requires_grad=True)
    w_ih = nt.tensor(np.ones((12, 4), np.float32), requires_grad=True)
    w_hh = nt.tensor(np.ones((12, 3), np.float32), requires_grad=True)
    seq, h, c = F.lstm(x, None, None, w_ih, w_hh)
    assert (seq.shape, h.shape, c.shape) == ((0, 5, 3), (0, 3), (0, 3))
    w_ho = nt.tensor(np.ones((2, 3), np.float32))
    ys, hs, y_last = F.jordan_rnn(x, None, nt.tensor(np.ones((3, 4), np.float32)),
                                  nt.tensor(np.ones((3, 2), np.float32)), w_ho)
    assert (ys.shape, hs.shape, y_last.shape) == ((0, 5, 2), (0, 5, 3), (0, 2))


@pytest.mark.parametrize("fn", ["lstm", "gru", "rnn"])
def test_recurrent_functions_refuse_empty_sequences_like_torch(fn, torch):
    """PyTorch: "Expected sequence length to be larger than 0 in RNN"; here a ValueError naming the function."""
    x = nt.tensor(np.zeros((2, 0, 4), np.float32))
    g = {"lstm": 4, "gru": 3, "rnn": 1}[fn]
    w_ih, w_hh = nt.tensor(np.ones((g * 3, 4), np.float32)), nt.tensor(np.ones((g * 3, 3), np.float32))
    with pytest.raises(ValueError, match=rf"{fn}: the sequences are empty .*T = 0"):
        if fn == "lstm":
            F.lstm(x, None, None, w_ih, w_hh)
        else:
            getattr(F, fn)(x, None, w_ih, w_hh)
    with pytest.raises(RuntimeError, match="sequence length"):
        layer = getattr(torch.nn, {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[fn])(4, 3, batch_first=True)
        layer(torch.zeros(2, 0, 4))


def test_logsumexp_over_an_empty_axis_is_minus_infinity_like_torch(torch):
    y, (g,) = _run(lambda t: F.logsumexp(t, axis=0), np.zeros((0, 3)))
    ty, (tg,) = _run_torch(torch, lambda t: torch.logsumexp(t, 0), np.zeros((0, 3)))
    _same(y, ty, "logsumexp")
    _same(g, tg, "logsumexp gradient")
    assert F.logsumexp(nt.tensor(np.zeros((2, 0))), axis=1, keepdims=True).shape == (2, 1)


@pytest.mark.parametrize("fn,axis", [(F.max, 0), (F.min, None), (F.max, (0, 1))])
def test_max_min_over_an_empty_axis_fail_clearly_like_torch(fn, axis, torch):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: cannot reduce over .* shape \(0, 3\)"):
        fn(nt.tensor(np.zeros((0, 3))), axis=axis)
    with pytest.raises((IndexError, RuntimeError)):
        torch.amax(torch.zeros(0, 3), dim=0)


def test_attention_with_no_keys_gives_zeros_like_torch(torch, TF):
    """Keys and values of length S = 0: empty weights, a zero output, zero query gradient."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((2, 3, 4)).astype(np.float32)
    k = np.zeros((2, 0, 4), np.float32)
    xs = [nt.tensor(a, requires_grad=True) for a in (q, k, k)]
    ts = [torch.tensor(a, requires_grad=True) for a in (q, k, k)]
    y, ty = F.scaled_dot_product_attention(*xs), TF.scaled_dot_product_attention(*ts)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_array_equal(x.grad, t.grad.numpy())
    out = F.scaled_dot_product_attention(*[nt.tensor(np.zeros((2, 0, 4), np.float32))] * 3)
    assert out.shape == (2, 0, 4)


# --- 5. shapes that do not fit: messages that name the function --------------------------------

@pytest.mark.parametrize("name,call", [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("pow", lambda a, b: F.pow(a, b)),
    ("maximum", F.maximum),
    ("minimum", F.minimum),
    ("where", lambda a, b: F.where(a > 0, a, b)),
    ("clip", lambda a, b: F.clip(a, min=b)),
])
def test_binary_ops_name_the_function_when_shapes_do_not_broadcast(name, call):
    a, b = nt.tensor(np.ones((2, 3), np.float32)), nt.tensor(np.ones(4, np.float32))
    with pytest.raises(ValueError, match=rf"^{name}.*\(2, 3\).*\(4,\).*do not broadcast"):
        call(a, b)


@pytest.mark.parametrize("fn", ["lstm", "gru", "rnn", "jordan_rnn"])
def test_recurrent_bias_of_the_wrong_shape_is_named(fn):
    x = nt.tensor(np.ones((2, 3, 4), np.float32))
    g = {"lstm": 4, "gru": 3, "rnn": 1, "jordan_rnn": 1}[fn]
    w_ih, w_hh, bad = (nt.tensor(np.ones(s, np.float32)) for s in ((g * 5, 4), (g * 5, 5), (7,)))
    with pytest.raises(ValueError, match=rf"{fn}: bias_hh must have shape \({g * 5},\)"):
        if fn == "lstm":
            F.lstm(x, None, None, w_ih, w_hh, None, bad)
        elif fn == "jordan_rnn":
            F.jordan_rnn(x, None, w_ih, nt.tensor(np.ones((5, 2), np.float32)),
                         nt.tensor(np.ones((2, 5), np.float32)), None, bad)
        else:
            getattr(F, fn)(x, None, w_ih, w_hh, None, bad)
