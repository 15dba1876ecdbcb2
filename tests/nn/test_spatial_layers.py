"""ZeroPadding2D, Cropping2D, UpSampling2D (nearest and bilinear), Squeeze2D/Unsqueeze2D, Dropout2D:
gradients and PyTorch parity."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import check_grad, check_parity


def x4(rng, shape=(2, 3, 4, 6)):
    return rng.standard_normal(shape).astype(np.float32)


# (layer, its reference in torch as a function of the torch module)
LAYERS = [
    (nt.nn.ZeroPadding2D(1), lambda torch: lambda x: torch.nn.functional.pad(x, (1, 1, 1, 1))),
    (nt.nn.ZeroPadding2D(((1, 2), (0, 3))), lambda torch: lambda x: torch.nn.functional.pad(x, (0, 3, 1, 2))),
    (nt.nn.Cropping2D(((1, 0), (2, 1))), lambda torch: lambda x: x[:, :, 1:, 2:-1]),
    (nt.nn.UpSampling2D(2), lambda torch: lambda x: torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest")),
    (nt.nn.UpSampling2D((2, 3)),
     lambda torch: lambda x: torch.nn.functional.interpolate(x, scale_factor=(2, 3), mode="nearest")),
    # Keras's bilinear UpSampling2D uses half-pixel centres: torch's align_corners=False
    (nt.nn.UpSampling2D(2, interpolation="bilinear"), lambda torch: torch.nn.Upsample(scale_factor=2, mode="bilinear")),
    (nt.nn.UpSampling2D((3, 2), interpolation="bilinear"),
     lambda torch: lambda x: torch.nn.functional.interpolate(x, scale_factor=(3, 2), mode="bilinear",
                                                             align_corners=False)),
    (nt.nn.Squeeze2D(2), lambda torch: lambda x: torch.nn.functional.pixel_unshuffle(x, 2)),
]


@pytest.mark.parametrize("layer, reference", LAYERS)
def test_parity(layer, reference, rng, torch):
    x = x4(rng)
    check_parity(layer, reference(torch), x)


@pytest.mark.parametrize("layer, reference", LAYERS)
def test_gradients(layer, reference, rng):
    x = x4(rng)
    check_grad(layer, x)


def test_unsqueeze_inverts_squeeze_exactly(rng):
    x = x4(rng, (2, 3, 4, 8))
    sq, unsq = nt.nn.Squeeze2D(2), nt.nn.Unsqueeze2D(2)
    y = sq(nt.tensor(x))
    assert y.shape == (2, 12, 2, 4)
    np.testing.assert_array_equal(unsq(y).numpy(), x)


def test_unsqueeze_matches_pixel_shuffle(rng, TF):
    x = x4(rng, (2, 3, 4, 8))
    sq, unsq = nt.nn.Squeeze2D(2), nt.nn.Unsqueeze2D(2)
    y = sq(nt.tensor(x))
    check_parity(unsq, lambda t: TF.pixel_shuffle(t, 2), y.numpy())


def test_dropout2d_drops_whole_channels():
    layer = nt.nn.Dropout2D(0.5)
    x = np.ones((64, 32, 3, 3), np.float32)
    y = layer(nt.tensor(x)).numpy()
    per_channel = y.reshape(64, 32, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))  # a map is dropped or scaled whole
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.05               # 2,048 maps: 4.5 standard errors
    layer.eval()
    np.testing.assert_array_equal(layer(nt.tensor(x)).numpy(), x)


@pytest.mark.parametrize("make, shape, match", [
    (lambda: nt.nn.Squeeze2D(2), (1, 1, 3, 4), "multiples of factor 2"),
    (lambda: nt.nn.Unsqueeze2D(2), (1, 3, 2, 2), "multiple of factor"),
    (lambda: nt.nn.Cropping2D(2), (1, 1, 4, 4), "leaves nothing"),
    (lambda: nt.nn.UpSampling2D(2), (1, 4, 4), "expected a 4-D input"),
    (lambda: nt.nn.UpSampling2D(2, interpolation="bilinear"), (1, 4, 4), "expected a 4-D input"),
])
def test_errors_name_the_layer(make, shape, match):
    with pytest.raises(ValueError, match=match):
        make()(nt.tensor(np.zeros(shape, np.float32)))


def test_bilinear_upsampling_keeps_constant_images_and_rejects_unknown_modes():
    x = np.full((1, 2, 3, 5), 0.7, np.float32)
    y = nt.nn.UpSampling2D((2, 3), interpolation="bilinear")(nt.tensor(x))
    assert y.shape == (1, 2, 6, 15) and y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), 0.7, rtol=1e-6)
    rebuilt = nt.nn.Module.from_config(nt.nn.UpSampling2D((2, 3), interpolation="bilinear").get_config())
    assert rebuilt.interpolation == "bilinear" and rebuilt.size == (2, 3)
    with pytest.raises(ValueError, match="UpSampling2D: interpolation must be 'nearest' or 'bilinear', got 'bicubic'"):
        nt.nn.UpSampling2D(2, interpolation="bicubic")
