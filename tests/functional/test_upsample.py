"""upsample_bilinear2d: gradient checks, PyTorch parity (both corner conventions, sizes and scale factors), errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.upsample import upsample_bilinear2d
from tests.helpers import check_grad, check_parity

CASES = [  # input shape, resize arguments
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((1, 2, 3, 3), dict(scale_factor=(3, 2))),
    ((2, 2, 5, 7), dict(scale_factor=1.5)),            # non-integer scale: PyTorch samples at 1/scale
    ((1, 2, 5, 7), dict(scale_factor=(2.3, 0.7))),
    ((2, 1, 5, 7), dict(size=(9, 11))),                 # non-integer ratios given by size
    ((1, 3, 6, 7), dict(size=(4, 3))),                  # down-sampling
    ((1, 2, 1, 3), dict(size=(1, 5))),                  # a single row
    ((1, 1, 4, 4), dict(size=6)),
]


@pytest.mark.parametrize("shape, kwargs", CASES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_parity_with_torch_interpolate(shape, kwargs, align_corners, rng, TF):
    x = rng.standard_normal(shape).astype(np.float32)
    check_parity(lambda t: upsample_bilinear2d(t, align_corners=align_corners, **kwargs),
                 lambda t: TF.interpolate(t, mode="bilinear", align_corners=align_corners, **kwargs), x)


@pytest.mark.parametrize("shape, kwargs", CASES[:6])
@pytest.mark.parametrize("align_corners", [False, True])
def test_gradcheck(shape, kwargs, align_corners, rng):
    check_grad(lambda t: upsample_bilinear2d(t, align_corners=align_corners, **kwargs), rng.standard_normal(shape))


def test_known_values_and_dtype():
    x = np.array([[[[0.0, 1.0], [2.0, 3.0]]]], np.float32)
    y = upsample_bilinear2d(nt.tensor(x), scale_factor=2)
    assert y.dtype == np.float32 and y.shape == (1, 1, 4, 4)
    # half-pixel centres: the first output column sits at input 0 (clamped), the second at 0.25
    np.testing.assert_allclose(y.numpy()[0, 0, 0], [0.0, 0.25, 0.75, 1.0])
    corners = upsample_bilinear2d(nt.tensor(x), size=3, align_corners=True).numpy()[0, 0]
    np.testing.assert_allclose(corners, [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]])
    np.testing.assert_array_equal(upsample_bilinear2d(nt.tensor(x), scale_factor=1).numpy(), x)  # identity


@pytest.mark.parametrize("shape, kwargs, error, match", [
    ((2, 4, 4), dict(scale_factor=2), ValueError, "expected a 4-D input"),
    ((1, 1, 4, 4), dict(), ValueError, "exactly one of size and scale_factor"),
    ((1, 1, 4, 4), dict(size=4, scale_factor=2), ValueError, "exactly one of size and scale_factor"),
    ((1, 1, 4, 4), dict(size=(0, 3)), ValueError, "size must be a positive int"),
    ((1, 1, 4, 4), dict(size=(2, 3, 4)), ValueError, "size must be"),
    ((1, 1, 4, 4), dict(scale_factor=-1), ValueError, "scale_factor must be positive"),
    ((1, 1, 4, 4), dict(scale_factor=0.1), ValueError, "empty output"),
    ((1, 1, 4, 4), dict(scale_factor=2, align_corners=1), TypeError, "align_corners"),
])
def test_errors_name_the_function(shape, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        upsample_bilinear2d(nt.tensor(np.zeros(shape, np.float32)), **kwargs)
    assert str(info.value).startswith("upsample_bilinear2d: ")
