"""The compiled Winograd kernels (kernels/winograd.py, run through functional/conv_winograd.py) give
the direct convolution's outputs and gradients (float32, to rounding) and PyTorch's, for every
activation, the gradients asked for, several chunks and threads, and images grouped per product."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.conv_winograd import (auto_min_channels, set_winograd, weight_transform,
                                               weight_transform_adjoint)
from tests.helpers import assert_close, need
from tests.kernels.test_conv import conv_arrays

need("numba")

_KERNELS = ("winograd_forward_images", "winograd_backward_images")


@pytest.fixture
def winograd_calls(monkeypatch):
    """The names of the compiled Winograd kernels called (conv_winograd.py imports them per call)."""
    from neuronet.kernels import winograd
    calls = []
    for name in _KERNELS:
        real = getattr(winograd, name)
        monkeypatch.setattr(winograd, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    return calls


def run(arrays, mode, threads=1, activation=None, bias=True, grads=(True, True, True), **options):
    """Output and gradients of one conv2d forward and backward (compiled kernels on) in a Winograd mode."""
    import threadpoolctl
    x, w, b, g = arrays
    set_winograd(mode)
    xt, wt, bt = (nt.tensor(a, requires_grad=r) for a, r in zip((x, w, b), grads))
    with threadpoolctl.threadpool_limits(threads):
        y = nt.F.conv2d(xt, wt, bt if bias else None, activation=activation, **options)
        (y * nt.tensor(g)).sum().backward()
    return [y.numpy()] + [t.grad for t in (xt, wt, bt) if t.requires_grad and t.grad is not None]


def torch_reference(torch, arrays, activation, padding, padding_mode="zeros"):
    x, w, b, g = arrays
    TF = torch.nn.functional
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    if padding_mode == "zeros":
        y = TF.conv2d(xt, wt, bt, 1, padding)
    else:
        y = TF.conv2d(TF.pad(xt, (padding,) * 4, mode=padding_mode), wt, bt)
    y = {None: y, "relu": torch.relu(y), "tanh": torch.tanh(y), "sigmoid": torch.sigmoid(y)}[activation]
    (y * torch.tensor(g)).sum().backward()
    return [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]


@pytest.mark.parametrize("n, c, o, hw, padding, padding_mode", [
    (5, 16, 24, (8, 8), 1, "zeros"),       # whole tiles
    (3, 17, 16, (9, 7), 1, "zeros"),       # odd outputs: the last tiles cropped through the scratch rows
    (4, 16, 20, (6, 7), 0, "zeros"),       # no padding
    (3, 16, 16, (7, 6), 1, "reflect"),
    (2, 20, 16, (5, 5), 2, "circular")])
@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid"])
def test_compiled_winograd_matches_the_direct_convolution_and_torch(torch, winograd_calls, monkeypatch, n, c, o, hw,
                                                                    padding, padding_mode, activation):
    from neuronet.kernels import parallel
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 8192)  # several chunks: dW and db are summed over them
    arrays = conv_arrays(n, c, o, (3, 3), hw, padding=padding)
    options = dict(padding=padding, padding_mode=padding_mode)
    direct = run(arrays, "never", 1, activation, **options)
    assert not winograd_calls
    fast = run(arrays, "always", 2, activation, **options)  # float32 with the kernels: the compiled path
    assert set(winograd_calls) == set(_KERNELS) and winograd_calls.count(_KERNELS[0]) > 1  # several chunks
    expected = torch_reference(torch, arrays, activation, padding, padding_mode)
    assert len(fast) == len(direct) == 4
    for what, a, d, e in zip(("y", "dx", "dw", "db"), fast, direct, expected):
        assert_close(a, d, rtol=2e-5, what=what)  # float32 sums over up to 9·C products, by other sums
        assert_close(a, e, rtol=2e-5, what=what)


@pytest.mark.parametrize("bias, grads", [(False, (True, True, False)), (True, (False, True, True)),
                                         (True, (True, False, False)), (True, (False, False, True)),
                                         (True, (True, False, True))])
@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("two_passes", [False, True])
def test_compiled_winograd_with_some_gradients(winograd_calls, monkeypatch, bias, grads, activation, two_passes):
    """Any subset of the gradients, in one backward pass over the batch or (a large U) in dX's pass
    and one pass per block of output channels for dW and db."""
    from neuronet.functional import conv_winograd
    monkeypatch.setattr(conv_winograd, "TWO_PASSES_BYTES", 0 if two_passes else 1 << 62)
    arrays = conv_arrays(3, 16, 16, (3, 3), (6, 6), padding=1)
    direct = run(arrays, "never", 1, activation, bias, grads, padding=1)
    fast = run(arrays, "always", 1, activation, bias, grads, padding=1)
    passes = 3 if two_passes and grads[0] and grads[1] else 1  # dX's pass, then two blocks of output channels at least
    assert winograd_calls.count(_KERNELS[1]) == passes and winograd_calls.count(_KERNELS[0]) == 1
    assert len(fast) == len(direct) == 1 + sum(g for g, used in zip(grads, (True, True, bias)) if used)
    for a, d in zip(fast, direct):
        assert_close(a, d, rtol=2e-5)


@pytest.mark.parametrize("hw, n, tiles_per_product", [((4, 4), 70, 256), ((2, 2), 300, 256), ((3, 5), 100, 256),
                                                      ((4, 4), 70, 12), ((6, 6), 9, 20)])
def test_images_share_the_products_across_groups_and_chunks(winograd_calls, monkeypatch, hw, n, tiles_per_product):
    """At small spatial sizes several images share each of the 16 products (ResNet's last stage has
    4 tiles an image); a chunk holds one group or several, its last group may be partial."""
    from neuronet.functional import conv_winograd
    from neuronet.kernels import parallel, winograd
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 1 << 16)
    monkeypatch.setattr(winograd, "TILES_PER_PRODUCT", tiles_per_product)
    group = conv_winograd._group(hw, n)
    assert group > 1 and n % group != 0
    arrays = conv_arrays(n, 16, 32, (3, 3), hw, padding=1)
    direct = run(arrays, "never", 1, "relu", padding=1)
    fast = run(arrays, "always", 2, "relu", padding=1)
    assert set(winograd_calls) == set(_KERNELS) and winograd_calls.count(_KERNELS[0]) > 1
    for a, d in zip(fast, direct):
        assert_close(a, d, rtol=2e-5)


@pytest.mark.parametrize("hw", [(16, 16), (9, 8), (4, 4)])
def test_auto_takes_winograd_from_its_channel_counts_in_float32_only(winograd_calls, hw):
    rng = np.random.default_rng(0)
    least = auto_min_channels(hw)  # padding 1: the output is hw
    assert least == {(16, 16): 12, (9, 8): 32, (4, 4): 64}[hw]
    for c, o, dtype, taken in [(least, least, np.float32, True), (least - 1, least + 8, np.float32, False),
                               (least + 8, least - 1, np.float32, False), (least, least, np.float64, False)]:
        winograd_calls.clear()
        x = nt.tensor(rng.standard_normal((2, c) + hw).astype(dtype))
        w = nt.tensor(rng.standard_normal((o, c, 3, 3)).astype(dtype))
        nt.F.conv2d(x, w, padding=1)
        assert (winograd_calls == ["winograd_forward_images"]) == taken, (c, o, dtype)


def test_the_compiled_weight_transforms_equal_numpys():
    from neuronet.kernels.winograd import plane_floats, transform_weight, transform_weight_adjoint
    rng = np.random.default_rng(1)
    o, c = 5, 7
    w = rng.standard_normal((o, c, 3, 3)).astype(np.float32)
    planes = plane_floats(o * c)
    assert planes >= o * c and planes % 16 == 0 and (planes // 16) % 2 == 1  # an odd number of 64-byte lines
    u = np.full((16, planes), np.nan, np.float32)
    transform_weight(w.reshape(o * c, 9), u)
    assert_close(u[:, :o * c], weight_transform(w).reshape(16, o * c), rtol=1e-6)
    du = np.zeros((16, planes), np.float32)
    du[:, :o * c] = rng.standard_normal((16, o * c))
    dw = np.empty((o * c, 9), np.float32)
    transform_weight_adjoint(du, dw)
    assert_close(dw.reshape(o, c, 3, 3), weight_transform_adjoint(du[:, :o * c].reshape(16, o, c)), rtol=1e-6)


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # the NaN's gradients
def test_non_finite_inputs_give_non_finite_outputs_wherever_the_direct_convolution_does(winograd_calls):
    """A tile mixes its 16 inputs, so an inf or NaN reaches every output of its 2×2 block (the direct
    convolution's 3×3 windows reach fewer); outputs whose tiles are finite are unaffected."""
    arrays = conv_arrays(1, 16, 16, (3, 3), (8, 8), padding=1)
    arrays[0][0, 3, 2, 5] = np.inf
    arrays[0][0, 7, 6, 1] = np.nan
    direct = run(arrays, "never", 1, "relu", padding=1)[0]
    fast = run(arrays, "always", 1, "relu", padding=1)[0]
    assert winograd_calls
    assert np.all(~np.isfinite(fast[~np.isfinite(direct)]))
    finite_block = np.ones((8, 8), bool)  # outputs whose 4×4 input tile (padded input) holds no inf or NaN
    for r, q in ((2, 5), (6, 1)):
        ty, tx = (r + 1) // 2, (q + 1) // 2   # padded position r + 1 lies in tiles ty - 1 and ty (rows 2t..2t + 3)
        for a in (ty - 1, ty):
            for b in (tx - 1, tx):
                if 0 <= a < 4 and 0 <= b < 4:
                    finite_block[2 * a:2 * a + 2, 2 * b:2 * b + 2] = False
    assert_close(fast[:, :, finite_block], direct[:, :, finite_block], rtol=2e-5)


@pytest.mark.parametrize("activation", [None, "relu"])
def test_a_large_weights_gradient_in_blocks_of_output_channels(winograd_calls, monkeypatch, activation):
    """Where U is large, dX takes a pass of its own and dW, db one pass per block of output
    channels over the whole batch: the direct convolution's gradients, and the same values at 1
    and 2 threads (the blocks do not depend on the thread count)."""
    from neuronet.functional import conv_winograd
    monkeypatch.setattr(conv_winograd, "TWO_PASSES_BYTES", 0)
    monkeypatch.setattr(conv_winograd, "BLOCK_BYTES", 16 * 16 * 4 * 5)  # dU of 5 output channels: 4 blocks of 24
    arrays = conv_arrays(4, 16, 24, (3, 3), (6, 6), padding=1)
    direct = run(arrays, "never", 1, activation, padding=1)
    one = run(arrays, "always", 1, activation, padding=1)
    assert winograd_calls.count(_KERNELS[1]) == 1 + 6  # dX's pass, then 6 blocks (a multiple of 2)
    two = run(arrays, "always", 2, activation, padding=1)
    for what, a, b, d in zip(("y", "dx", "dw", "db"), one, two, direct):
        assert np.array_equal(a, b), what
        assert_close(a, d, rtol=2e-5, what=what)


def test_wide_layers_backward_keeps_less_than_a_whole_du_besides_u(torch):
    """512 channels at 4×4 (ResNet-18's last stage), 16 images: the whole backward's extra memory
    (gradients of the product and the sum included) measured 21.3 MiB; with a whole dU (16 MiB)
    beside gw (9 MiB), as before the blocks, 26.4 MiB."""
    import tracemalloc
    rng = np.random.default_rng(0)
    x = nt.tensor(rng.standard_normal((16, 512, 4, 4)).astype(np.float32), requires_grad=True)
    w = nt.tensor((rng.standard_normal((512, 512, 3, 3)) * 0.02).astype(np.float32), requires_grad=True)
    set_winograd("always")
    # compile the kernels first: numba's compilation (a cold or stale cache) allocates Python objects tracemalloc counts
    nt.F.conv2d(nt.tensor(x.numpy()[:1], requires_grad=True), w, padding=1).sum().backward()
    w.grad = None
    y = nt.F.conv2d(x, w, padding=1)
    g = rng.standard_normal(y.shape).astype(np.float32)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        (y * nt.tensor(g)).sum().backward()
        extra = (tracemalloc.get_traced_memory()[1] - base) / (1 << 20)
    finally:
        tracemalloc.stop()
    assert extra < 23, extra  # gx 0.5 + gw 9 + dU's half 8 (or U 16 in dX's pass) + the other gradients
    xt, wt = torch.tensor(x.numpy(), requires_grad=True), torch.tensor(w.numpy(), requires_grad=True)
    (torch.nn.functional.conv2d(xt, wt, padding=1) * torch.tensor(g)).sum().backward()
    assert_close(w.grad, wt.grad.numpy(), rtol=1e-4, what="dw")
    assert_close(x.grad, xt.grad.numpy(), rtol=1e-4, what="dx")
