"""The autograd engine itself: accumulation, shared tensors, graph lifetime, no_grad, gradcheck."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import Function
from neuronet.functional import math as M


def _leaf(values, dtype=np.float32):
    return nt.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_gradients_accumulate_across_two_backward_calls():
    x = _leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [3 + 2, 3 + 4])


def test_tensor_used_twice_gets_both_contributions():
    x = _leaf([2.0, -1.0])
    y = x * x + x  # d/dx = 2x + 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [5.0, -1.0])


def test_diamond_graph_sums_paths():
    x = _leaf([1.5])
    h = M.exp(x)
    y = h * 2 + M.sin(h)
    y.backward()
    e = np.exp(1.5)
    np.testing.assert_allclose(x.grad, [e * (2 + np.cos(e))], rtol=1e-6)


def test_broadcasting_is_undone_in_gradients():
    x = _leaf(np.ones((3, 1)))
    b = _leaf(np.ones(4))
    (x + b).sum().backward()
    assert x.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(x.grad, np.full((3, 1), 4.0))
    np.testing.assert_allclose(b.grad, np.full(4, 3.0))


def test_second_backward_without_retain_graph_raises_clearly():
    x = _leaf([1.0, 2.0])
    y = (M.exp(x) * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = _leaf([1.0, 2.0])
    y = (M.exp(x) * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * np.exp([1.0, 2.0]), rtol=1e-6)


def test_saved_arrays_are_freed_after_backward():
    x = _leaf([1.0, 2.0])
    h = M.exp(x)
    y = (h * h).sum()
    fn, hfn = y._creator, h._creator
    y.backward()
    assert fn.inputs is None and hfn.inputs is None
    assert not hasattr(hfn, "y")


def test_no_grad_context_records_nothing():
    x = _leaf([1.0])
    with nt.no_grad():
        y = x * 2 + 1
    assert not y.requires_grad and y._creator is None
    assert nt.is_grad_enabled()


def test_no_grad_decorator_records_nothing():
    x = _leaf([1.0])

    @nt.no_grad()
    def f(t):
        return M.exp(t) * 3

    y = f(x)
    assert not y.requires_grad and y._creator is None
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad_records():
    x = _leaf([1.0])
    with nt.no_grad():
        with nt.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0])


def test_ten_thousand_step_graph_backpropagates_without_recursion_error():
    x = _leaf([1.0], dtype=np.float64)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** 10_000], rtol=1e-9)


def test_backward_on_non_scalar_without_grad_raises():
    x = _leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="one-element"):
        (x * 2).backward()
    y = x * 2
    y.backward(np.ones(2, np.float32))
    np.testing.assert_allclose(x.grad, [2.0, 2.0])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (nt.tensor([1.0]) * 2).backward()


def test_retain_grad_on_non_leaf():
    x = _leaf([1.0, 3.0])
    h = x * 2
    h.retain_grad()
    g = x * 5  # not retained
    (h * h + g).sum().backward()
    np.testing.assert_allclose(h.grad, [4.0, 12.0])
    assert g.grad is None
    np.testing.assert_allclose(x.grad, [8.0 + 5, 24.0 + 5])


def test_leaf_grads_are_distinct_arrays():
    x, y = _leaf([1.0]), _leaf([2.0])
    (x + y).sum().backward()
    x.grad += 1
    np.testing.assert_allclose(y.grad, [1.0])


class _WrongSquare(Function):
    """x^2 with a deliberately wrong derivative (3x instead of 2x)."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * 3 * self.x


def test_gradcheck_names_input_and_element_of_a_wrong_function():
    x = nt.tensor(np.array([[0.5, 1.0], [2.0, 3.0]]), requires_grad=True)
    c = nt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(nt.GradcheckError, match=r"input 1 \(shape \(2, 2\)\) disagrees at element \(0, 0\)"):
        nt.gradcheck(lambda a, b: a * 2 + _WrongSquare.apply(b), c, x)
    assert nt.gradcheck(lambda b: _WrongSquare.apply(b), x, raise_exception=False) is False


def test_gradcheck_passes_a_correct_function():
    x = nt.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert nt.gradcheck(lambda t: M.exp(t) * t, x)


def test_gradcheck_rejects_float32_inputs():
    x = _leaf([1.0, 2.0])
    with pytest.raises(ValueError, match="float64"):
        nt.gradcheck(lambda t: t * 2, x)


def test_int_input_used_with_float_leaf_gets_no_grad():
    x = _leaf([1.0, 2.0])
    i = nt.tensor([3, 4])
    (x * i).sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])
    assert i.grad is None and x.grad.dtype == np.float32


def test_the_graph_does_not_keep_intermediate_data_alive():
    """A Function records intermediate inputs as edges, not tensors: an activation that no
    backward needs is freed when the user drops it (PyTorch's rule too)."""
    import gc
    import weakref
    x = nt.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x * 2.0
    freed = weakref.ref(y.data)
    z = nt.functional.sum(y + 1.0)  # Add and Sum keep nothing of y for their backward
    del y
    gc.collect()
    assert freed() is None
    z.backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))


def test_retain_grad_on_an_intermediate_still_works():
    x = nt.tensor(np.arange(4.0), requires_grad=True)
    y = x * 3.0
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad, 2 * 3.0 * np.arange(4.0))
    np.testing.assert_allclose(x.grad, 18.0 * np.arange(4.0))


def _dense_relu_layer_norm_grads(keep_intermediates, retain=False):
    """Gradients through dense(relu) → layer_norm → dense, with or without the caller holding
    the intermediate outputs (which forbids the backward from overwriting them)."""
    rng = np.random.default_rng(0)
    x = nt.tensor(rng.standard_normal((6, 5)).astype(np.float32), requires_grad=True)
    w1 = nt.tensor(rng.standard_normal((8, 5)).astype(np.float32), requires_grad=True)
    w2 = nt.tensor(rng.standard_normal((3, 8)).astype(np.float32), requires_grad=True)
    h = nt.F.dense(x, w1, activation="relu")
    n = nt.F.layer_norm(h, 8)
    loss = (nt.F.dense(n, w2) ** 2).sum()
    held = (h.numpy().copy(), n.numpy().copy()) if keep_intermediates else None
    if not keep_intermediates:
        del h, n
    loss.backward(retain_graph=retain)
    grads = [t.grad.copy() for t in (x, w1, w2)]
    if retain:
        for t in (x, w1, w2):
            t.grad = None
        loss.backward()
        grads += [t.grad for t in (x, w1, w2)]
    return grads, held, (None if not keep_intermediates else (h.numpy(), n.numpy()))


def test_backward_reuses_saved_arrays_only_when_nothing_else_holds_them(monkeypatch, kernels_off):
    # the NumPy layer norm's take_saved (its compiled kernel rebuilds x̂ on the fly and writes nothing over x)
    writable = []
    real = Function.take_saved
    monkeypatch.setattr(Function, "take_saved", lambda self, name: (lambda r: writable.append(r[1]) or r)(real(self, name)))
    dropped, _, _ = _dense_relu_layer_norm_grads(keep_intermediates=False)
    # layer norm's input is also the relu's saved output: not writable while the dense layer still
    # needs it; then the dense layer's backward, the last holder, reuses it
    assert writable == [False, True]
    writable.clear()
    kept, before, after = _dense_relu_layer_norm_grads(keep_intermediates=True)
    assert writable == [False, False]  # the caller still holds h and n
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)  # ... and their values are untouched
    for a, b in zip(dropped, kept):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    writable.clear()
    twice, _, _ = _dense_relu_layer_norm_grads(keep_intermediates=False, retain=True)
    assert writable[:2] == [False, False]  # retain_graph: the first backward may not overwrite
    for a, b in zip(twice[:3], twice[3:]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(twice[:3], dropped):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_layer_norm_backward_over_its_unshared_input_gives_the_same_gradients(monkeypatch, kernels_off):
    # the NumPy layer norm's take_saved (its compiled kernel rebuilds x̂ on the fly and writes nothing over x)
    writable = []
    real = Function.take_saved
    monkeypatch.setattr(Function, "take_saved", lambda self, name: (lambda r: writable.append(r[1]) or r)(real(self, name)))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3, 6)).astype(np.float32)
    w = rng.standard_normal((6, 6)).astype(np.float32)
    g = rng.standard_normal((4, 3, 6)).astype(np.float32)
    grads = []
    for keep in (False, True):
        xt, wt = nt.tensor(x, requires_grad=True), nt.tensor(w, requires_grad=True)
        z = nt.F.linear(xt, wt)
        out = nt.F.layer_norm(z if keep else nt.F.linear(xt, wt), 6)
        (out * nt.tensor(g)).sum().backward()
        grads.append((xt.grad, wt.grad))
    assert writable == [True, False]  # the unnamed linear output was overwritten; the held z was not
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-6)
