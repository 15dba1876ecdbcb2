"""conv1d, conv2d, conv_transpose1d/2d: gradient checks, PyTorch parity of every option, errors."""
import numpy as np
import pytest

from neuronet.functional.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from neuronet.functional.im2col import pad_nchw, unpad_nchw
from tests.helpers import check_grad, check_parity


def _f32(*arrays):
    return [a.astype(np.float32) for a in arrays]


def _torch_conv2d(TF, padding_mode, stride, padding, dilation, groups):
    """torch's conv2d with a padding mode, as nn.Conv2d computes it (``TF``: torch.nn.functional)."""
    def fn(x, w, b):
        if padding_mode == "zeros":
            return TF.conv2d(x, w, b, stride, padding, dilation, groups)
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        return TF.conv2d(TF.pad(x, (pw, pw, ph, ph), mode=padding_mode), w, b, stride, 0, dilation, groups)
    return fn


CONV2D_CASES = [  # stride, padding, dilation, groups, padding_mode
    (1, 0, 1, 1, "zeros"),
    (2, 0, 1, 1, "zeros"),
    ((2, 1), (1, 2), 1, 1, "zeros"),
    (1, "same", 1, 1, "zeros"),
    (1, "same", 2, 1, "zeros"),
    (1, "valid", 1, 1, "zeros"),
    (1, 1, (2, 1), 1, "zeros"),
    (2, 1, 1, 2, "zeros"),
    (1, 1, 1, 4, "zeros"),  # depthwise: groups = in_channels
    (1, 2, 1, 1, "reflect"),
    (2, (1, 2), 1, 1, "replicate"),
    (1, 2, 2, 2, "circular"),
]


def _conv2d_inputs(rng, groups):
    x = rng.standard_normal((2, 4, 7, 6))
    w = rng.standard_normal((4, 4 // groups, 3, 2))
    b = rng.standard_normal(4)
    return x, w, b


@pytest.mark.parametrize("stride,padding,dilation,groups,mode", CONV2D_CASES)
def test_conv2d_grad(stride, padding, dilation, groups, mode, rng):
    x, w, b = _conv2d_inputs(rng, groups)
    fn = lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups, mode)  # noqa: E731
    check_grad(fn, x[:1], w, b)


@pytest.mark.parametrize("stride,padding,dilation,groups,mode", CONV2D_CASES)
def test_conv2d(stride, padding, dilation, groups, mode, rng, TF):
    x, w, b = _conv2d_inputs(rng, groups)
    fn = lambda x, w, b: conv2d(x, w, b, stride, padding, dilation, groups, mode)  # noqa: E731
    check_parity(fn, _torch_conv2d(TF, mode, stride, padding, dilation, groups) if padding not in ("same", "valid")
                 else lambda x, w, b: TF.conv2d(x, w, b, stride, padding, dilation, groups), *_f32(x, w, b))


def test_conv2d_same_even_kernel_pads_after(rng, TF):
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 4, 2))
    y = conv2d(*_f32(x, w), padding="same")
    assert y.shape == (2, 2, 6, 5)
    check_parity(lambda x, w: conv2d(x, w, padding="same"), lambda x, w: TF.conv2d(x, w, padding="same"), *_f32(x, w))


def test_conv2d_same_even_kernel_pads_after_grad(rng):
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 3, 4, 2))
    y = conv2d(*_f32(x, w), padding="same")
    assert y.shape == (2, 2, 6, 5)
    check_grad(lambda x, w: conv2d(x, w, padding="same", padding_mode="reflect"), x[:1], w)


def test_conv2d_no_bias_and_grad_of_weight_only(rng, TF):
    x, w = _f32(rng.standard_normal((3, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3)))
    check_parity(lambda x, w: conv2d(x, w, stride=2), lambda x, w: TF.conv2d(x, w, stride=2), x, w,
                 requires_grad=[False, True])
    check_parity(lambda x, w: conv2d(x, w, stride=2), lambda x, w: TF.conv2d(x, w, stride=2), x, w,
                 requires_grad=[True, False])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
def test_conv2d_fused_activation_grad(activation, rng):
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    fn = lambda x, w, b: conv2d(x, w, b, padding=1, activation=activation)  # noqa: E731
    check_grad(fn, x[:1], w, b)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
def test_conv2d_fused_activation(activation, rng, torch, TF):
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": TF.gelu}[activation]
    fn = lambda x, w, b: conv2d(x, w, b, padding=1, activation=activation)  # noqa: E731
    check_parity(fn, lambda x, w, b: act(TF.conv2d(x, w, b, padding=1)), *_f32(x, w, b))


def test_conv2d_float32_stays_float32(rng):
    x, w, b = _f32(rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4))
    import neuronet as nt
    y = conv2d(nt.tensor(x, requires_grad=True), nt.tensor(w, requires_grad=True), nt.tensor(b), padding=1)
    assert y.dtype == np.float32


CONV1D_CASES = [(1, 0, 1, 1, "zeros"), (2, 1, 1, 1, "zeros"), (1, "same", 2, 1, "zeros"), (1, 1, 1, 2, "zeros"),
                (1, 2, 1, 1, "reflect"), (3, 1, 1, 1, "replicate"), (1, 2, 1, 1, "circular")]


@pytest.mark.parametrize("stride,padding,dilation,groups,mode", CONV1D_CASES)
def test_conv1d_grad(stride, padding, dilation, groups, mode, rng):
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 4 // groups, 3)), rng.standard_normal(6)
    fn = lambda x, w, b: conv1d(x, w, b, stride, padding, dilation, groups, mode)  # noqa: E731
    check_grad(fn, x, w, b)


@pytest.mark.parametrize("stride,padding,dilation,groups,mode", CONV1D_CASES)
def test_conv1d(stride, padding, dilation, groups, mode, rng, TF):
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 4 // groups, 3)), rng.standard_normal(6)
    fn = lambda x, w, b: conv1d(x, w, b, stride, padding, dilation, groups, mode)  # noqa: E731

    def torch_fn(x, w, b):
        if mode == "zeros":
            return TF.conv1d(x, w, b, stride, padding, dilation, groups)
        return TF.conv1d(TF.pad(x, (padding, padding), mode=mode), w, b, stride, 0, dilation, groups)
    check_parity(fn, torch_fn, *_f32(x, w, b))


TRANSPOSE_CASES = [  # stride, padding, output_padding, groups, dilation
    (1, 0, 0, 1, 1), (2, 0, 0, 1, 1), (2, 1, 1, 1, 1), ((2, 3), (0, 1), (1, 2), 1, 1),
    (1, 1, 0, 2, 2), (2, 0, 1, 2, 1), (3, 1, 0, 1, (1, 2)),
]


@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation", TRANSPOSE_CASES)
def test_conv_transpose2d_grad(stride, padding, output_padding, groups, dilation, rng):
    x, w, b = rng.standard_normal((2, 4, 4, 3)), rng.standard_normal((4, 6 // groups, 3, 2)), rng.standard_normal(6)
    fn = lambda x, w, b: conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)  # noqa: E731
    check_grad(fn, x[:1], w, b)


@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation", TRANSPOSE_CASES)
def test_conv_transpose2d(stride, padding, output_padding, groups, dilation, rng, TF):
    x, w, b = rng.standard_normal((2, 4, 4, 3)), rng.standard_normal((4, 6 // groups, 3, 2)), rng.standard_normal(6)
    fn = lambda x, w, b: conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)  # noqa: E731
    check_parity(fn, lambda x, w, b: TF.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation),
                 *_f32(x, w, b))


TRANSPOSE1D_CASES = [(1, 0, 0), (2, 1, 1), (3, 0, 2)]


@pytest.mark.parametrize("stride,padding,output_padding", TRANSPOSE1D_CASES)
def test_conv_transpose1d_grad(stride, padding, output_padding, rng):
    x, w, b = rng.standard_normal((2, 3, 5)), rng.standard_normal((3, 2, 3)), rng.standard_normal(2)
    fn = lambda x, w, b: conv_transpose1d(x, w, b, stride, padding, output_padding)  # noqa: E731
    check_grad(fn, x, w, b)


@pytest.mark.parametrize("stride,padding,output_padding", TRANSPOSE1D_CASES)
def test_conv_transpose1d(stride, padding, output_padding, rng, TF):
    x, w, b = rng.standard_normal((2, 3, 5)), rng.standard_normal((3, 2, 3)), rng.standard_normal(2)
    fn = lambda x, w, b: conv_transpose1d(x, w, b, stride, padding, output_padding)  # noqa: E731
    check_parity(fn, lambda x, w, b: TF.conv_transpose1d(x, w, b, stride, padding, output_padding), *_f32(x, w, b))


def test_conv_transpose2d_is_the_adjoint_of_conv2d(rng):
    """<conv2d(x, w), y> = <x, conv_transpose2d(y, w)> for the same weight."""
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    y = conv2d(x, w, stride=2, padding=1).numpy()
    g = rng.standard_normal(y.shape)
    back = conv_transpose2d(g, w, stride=2, padding=1).numpy()
    assert back.shape == x.shape
    np.testing.assert_allclose((y * g).sum(), (x * back).sum(), rtol=1e-10)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_unpad_is_the_adjoint_of_pad(mode, rng):
    x = rng.standard_normal((2, 3, 5, 4))
    pads = (2, 1, 3, 2)
    g = rng.standard_normal(pad_nchw(x, pads, mode).shape)
    np.testing.assert_allclose((pad_nchw(x, pads, mode) * g).sum(), (x * unpad_nchw(g, pads, x.shape, mode)).sum(),
                               rtol=1e-10)


def test_conv_errors(rng):
    x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: expected input with 3 channels.*received 2 channels"):
        conv2d(x[:, :2], w)
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D input.*\(3, 8, 8\)"):
        conv2d(x[0], w)
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(2, 3, 2, 2\).*empty output"):
        conv2d(x[:, :, :2, :2], w)
    with pytest.raises(ValueError, match=r"conv2d: padding='same' needs stride 1"):
        conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"conv2d: padding_mode"):
        conv2d(x, w, padding=1, padding_mode="mirror")
    with pytest.raises(ValueError, match=r"conv2d: reflect padding"):
        conv2d(x, w, padding=8, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\)"):
        conv2d(x, w, rng.standard_normal(3))
    with pytest.raises(ValueError, match=r"conv2d: out_channels 4 .* divisible by groups=3"):
        conv2d(x, rng.standard_normal((4, 1, 3, 3)), groups=3)
    with pytest.raises(ValueError, match=r"conv2d: stride"):
        conv2d(x, w, stride=0)
    with pytest.raises(TypeError, match=r"conv2d: input, weight and bias must share a dtype"):
        conv2d(x.astype(np.float32), w)
    with pytest.raises(ValueError, match=r"conv1d: expected a 3-D input"):
        conv1d(x, w[:, :, 0])
    with pytest.raises(ValueError, match=r"conv_transpose2d: expected input with 4 channels"):
        conv_transpose2d(x, rng.standard_normal((4, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"conv_transpose2d: output_padding"):
        conv_transpose2d(x, rng.standard_normal((3, 2, 3, 3)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv_transpose2d: .*empty output"):
        conv_transpose2d(x[:, :, :1, :1], rng.standard_normal((3, 2, 1, 1)), padding=1)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect"])
def test_a_padded_convolution_keeps_its_input_not_a_padded_copy(rng, padding_mode):
    """Backward pads the saved input again: forward keeps x itself (which the layer before usually
    keeps too), and the gradients are those of a float64 central-difference check."""
    import neuronet as nt
    x = nt.tensor(rng.standard_normal((2, 3, 30, 30)).astype(np.float32), requires_grad=True)
    w = nt.tensor(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), requires_grad=True)
    fn = conv2d(x, w, None, 1, 1, padding_mode=padding_mode)._creator  # 30×30 outputs: the per-image layout
    assert fn.x is x.data
    assert not [k for k, v in vars(fn).items() if isinstance(v, np.ndarray) and v.shape == (2, 3, 32, 32)]
    check_grad(lambda a, b: conv2d(a, b, None, 1, 1, padding_mode=padding_mode), rng.standard_normal((1, 2, 5, 5)),
               rng.standard_normal((2, 2, 3, 3)))
