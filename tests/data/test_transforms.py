"""Batch data augmentation: exact behaviour at the extremes, torchvision-style crops, seeding, errors,
and use through DataLoader(transform=...) and Model.fit(transform=...)."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data import DataLoader
from neuronet.data.transforms import (Compose, GaussianNoise, Normalize, RandomCrop, RandomHorizontalFlip,
                                      RandomRotation, RandomTranslation, RandomVerticalFlip, RandomZoom)
from neuronet.data.transforms_geometric import affine_resample, translation_thetas, zoom_thetas
from tests.helpers import assert_close


def batch(rng, shape=(6, 3, 8, 8), dtype=np.float32):
    return rng.random(shape).astype(dtype)


ALL = [
    lambda: RandomHorizontalFlip(), lambda: RandomVerticalFlip(), lambda: RandomCrop(8, padding=2),
    lambda: RandomCrop((6, 7), padding=1, padding_mode="reflect"), lambda: RandomRotation(30),
    lambda: RandomZoom((0.8, 1.2)), lambda: RandomTranslation(0.2, 0.1), lambda: GaussianNoise(0.1),
    lambda: Normalize(0.5, 0.25), lambda: Compose([RandomCrop(8, padding=1), RandomHorizontalFlip()]),
]


@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept_input_unchanged_new_array(make, dtype, rng):
    x = batch(rng, dtype=dtype)
    before = x.copy()
    y = make()(x)
    assert y.dtype == dtype and y.shape[:2] == x.shape[:2] and y.ndim == 4
    np.testing.assert_array_equal(x, before)
    assert not np.shares_memory(x, y)


@pytest.mark.parametrize("make", ALL[:-1])
def test_single_channel_batches_without_channel_axis(make, rng):
    x = batch(rng, (5, 8, 8))
    y3 = _seeded(make, 3)(x)
    y4 = _seeded(make, 3)(x[:, None])
    assert y3.ndim == 3
    np.testing.assert_array_equal(y3, y4[:, 0])


def _seeded(make, seed):
    t = make()
    t.rng = np.random.default_rng(seed)
    return t


def test_flips_at_p0_and_p1_are_exact(rng):
    x = batch(rng)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=0.0)(x), x)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0)(x), x[..., ::-1])
    np.testing.assert_array_equal(RandomVerticalFlip(p=0.0)(x), x)
    np.testing.assert_array_equal(RandomVerticalFlip(p=1.0)(x), x[..., ::-1, :])


def test_flip_decides_per_sample(rng):
    x = batch(rng, (200, 1, 4, 4))
    y = RandomHorizontalFlip(p=0.5, seed=0)(x)
    flipped = (y == x[..., ::-1]).all(axis=(1, 2, 3))
    kept = (y == x).all(axis=(1, 2, 3))
    assert (flipped | kept).all()
    assert 70 < flipped.sum() < 130  # Binomial(200, 0.5): 4.2 standard deviations either side


@pytest.mark.parametrize("degrees, k", [(90, 1), (-90, -1), (180, 2), (0, 0)])
def test_quarter_turns_equal_rot90(degrees, k, rng):
    """Positive angles turn counter-clockwise as displayed: +90° is np.rot90(k=1) over (H, W)."""
    x = batch(rng, (4, 2, 7, 7))
    y = RandomRotation((degrees, degrees))(x)
    np.testing.assert_array_equal(y, np.rot90(x, k, axes=(-2, -1)))


def test_rotation_fills_the_corners(rng):
    x = np.ones((2, 1, 9, 9), np.float32)
    y = RandomRotation((45, 45), fill=-1.0)(x)
    assert y[0, 0, 0, 0] == -1.0 and y[0, 0, 4, 4] == 1.0


def test_zoom_one_and_translation_zero_are_identity(rng):
    x = batch(rng, (4, 3, 9, 6))
    np.testing.assert_array_equal(RandomZoom((1.0, 1.0))(x), x)
    np.testing.assert_array_equal(RandomTranslation(0.0, 0.0)(x), x)


def test_whole_pixel_translation_shifts_and_fills(rng):
    x = batch(rng, (2, 1, 5, 6))
    y = affine_resample(x, translation_thetas(np.array([2.0, -1.0]), np.array([1.0, 0.0])), fill=7.0)
    expected = np.full_like(x, 7.0)
    expected[0, :, 1:, 2:] = x[0, :, :-1, :-2]      # 2 right, 1 down
    expected[1, :, :, :-1] = x[1, :, :, 1:]         # 1 left
    np.testing.assert_array_equal(y, expected)


def test_zoom_interpolates_bilinearly():
    # a horizontal ramp stays a ramp about the centre, its slope multiplied by the zoom factor
    x = np.tile(np.arange(9, dtype=np.float64), (1, 1, 9, 1))
    y = affine_resample(x, zoom_thetas(np.array([2.0])))
    assert_close(y[0, 0, 0], 4 + (np.arange(9) - 4) / 2.0)
    translation = RandomTranslation(0.3, 0.0, seed=1)(x)[0, 0, 4]
    slope = np.diff(translation[(translation > 0)])
    assert_close(slope, np.ones_like(slope))  # sub-pixel shifts keep the ramp linear


@pytest.mark.parametrize("mode, torch_mode", [("constant", "constant"), ("reflect", "reflect"), ("edge", "replicate")])
@pytest.mark.parametrize("padding, pads", [(2, (2, 2, 2, 2)), ((1, 3), (1, 3, 1, 3)), ((0, 1, 2, 3), (0, 1, 2, 3))])
def test_crop_is_a_window_of_the_padded_image(mode, torch_mode, padding, pads, rng, torch):
    x = batch(rng, (40, 2, 6, 7))
    size = (5, 6)
    y = RandomCrop(size, padding=padding, padding_mode=mode, seed=0)(x)
    left, top, right, bottom = pads
    padded = torch.nn.functional.pad(torch.tensor(x), (left, right, top, bottom), mode=torch_mode).numpy()
    hp, wp = padded.shape[2:]
    seen = set()
    for i in range(len(x)):  # torchvision semantics: every output is one window of its own padded image
        hits = [(t, l) for t in range(hp - size[0] + 1) for l in range(wp - size[1] + 1)
                if np.array_equal(padded[i, :, t:t + size[0], l:l + size[1]], y[i])]
        assert hits, f"sample {i} is no window of its padded image"
        seen.update(hits)
    assert len(seen) > 1  # windows move between samples


def test_crop_reaches_every_offset(rng):
    x = np.arange(4 * 4, dtype=np.float32).reshape(1, 1, 4, 4).repeat(500, axis=0)
    y = RandomCrop(4, padding=1, seed=0)(x)
    padded = np.pad(x[0, 0], 1)
    offsets = {(t, l) for t in range(3) for l in range(3) for out in y[:, 0]
               if np.array_equal(out, padded[t:t + 4, l:l + 4])}
    assert offsets == {(t, l) for t in range(3) for l in range(3)}


def test_normalize_matches_the_formula(rng):
    x = batch(rng)
    mean, std = [0.1, 0.5, 0.9], [0.2, 0.3, 0.4]
    expected = (x - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    y = Normalize(mean, std)(x)
    assert y.dtype == np.float32
    assert_close(y, expected, 1e-6)
    assert_close(Normalize(0.5, 2.0)(x[:, 0]), (x[:, 0] - 0.5) / 2.0, 1e-6)


def test_gaussian_noise_any_shape_and_scale(rng):
    x = np.zeros((400, 250), np.float32)
    y = GaussianNoise(0.5, seed=0)(x)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert abs(y.std() - 0.5) < 0.01 and abs(y.mean()) < 0.01  # 100,000 draws
    np.testing.assert_array_equal(GaussianNoise(0.0)(x), x)


@pytest.mark.parametrize("make", ALL)
def test_same_seed_same_output(make, rng):
    x = batch(rng)
    nt.manual_seed(5)
    a = make()(x)
    nt.manual_seed(5)
    b = make()(x)
    np.testing.assert_array_equal(a, b)


def test_own_generator_is_independent_of_the_global_one(rng):
    x = batch(rng)
    a = RandomRotation(40, seed=3)(x)
    nt.manual_seed(123)
    b = RandomRotation(40, seed=3)(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, RandomRotation(40, seed=4)(x))
    c = RandomZoom(rng=np.random.default_rng(3))(x)
    np.testing.assert_array_equal(c, RandomZoom(seed=3)(x))


def test_reprs():
    assert repr(RandomHorizontalFlip(0.3)) == "RandomHorizontalFlip(p=0.3)"
    assert repr(RandomCrop(28, padding=2)) == "RandomCrop(size=(28, 28), padding=2, padding_mode='constant')"
    assert repr(RandomRotation(10)) == "RandomRotation(degrees=(-10.0, 10.0), fill=0.0)"
    assert repr(Compose([RandomVerticalFlip()])) == "Compose([\n    RandomVerticalFlip(p=0.5),\n])"


@pytest.mark.parametrize("make, error, match", [
    (lambda: RandomHorizontalFlip(p=1.5), ValueError, r"RandomHorizontalFlip: p must be in \[0.0, 1.0\], got 1.5"),
    (lambda: RandomVerticalFlip(p="half"), TypeError, "RandomVerticalFlip: p must be a number"),
    (lambda: RandomCrop(0), ValueError, "RandomCrop: size must be a positive int"),
    (lambda: RandomCrop(8, padding=-1), ValueError, "RandomCrop: padding must be"),
    (lambda: RandomCrop(8, padding_mode="wrap"), ValueError, "RandomCrop: padding_mode must be one of"),
    (lambda: RandomRotation((10, -10)), ValueError, "RandomRotation: degrees must have low <= high"),
    (lambda: RandomRotation(-5), ValueError, "RandomRotation: degrees must be in"),
    (lambda: RandomZoom((0.0, 1.0)), ValueError, "RandomZoom: scale factors must be positive"),
    (lambda: RandomZoom(1.1), ValueError, r"RandomZoom: scale must be a pair \(low, high\)"),
    (lambda: RandomTranslation(2.0, 0.1), ValueError, "RandomTranslation: max_dx must be in"),
    (lambda: GaussianNoise(-1), ValueError, "GaussianNoise: std must be in"),
    (lambda: Normalize(0.5, 0.0), ValueError, "Normalize: std must be positive"),
    (lambda: RandomZoom(seed=1, rng=np.random.default_rng(1)), ValueError, "RandomZoom: give seed or rng"),
    (lambda: Compose([RandomHorizontalFlip(), 3]), TypeError, r"Compose: transforms\[1\] is not callable"),
])
def test_bad_arguments_name_the_transform(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("transform, x, error, match", [
    (RandomHorizontalFlip(), np.zeros((4, 8), np.float32), ValueError,
     r"RandomHorizontalFlip: expected a batch of images \(N, C, H, W\) or \(N, H, W\), received shape \(4, 8\)"),
    (RandomRotation(10), np.zeros((2, 1, 4, 4), np.uint8), TypeError,
     "RandomRotation: expected a floating-point batch"),
    (RandomCrop(9), np.zeros((2, 1, 8, 8), np.float32), ValueError,
     r"RandomCrop: crop size \(9, 9\) is larger than the padded image \(8, 8\)"),
    (Normalize([0.5, 0.5], [1, 1]), np.zeros((2, 3, 4, 4), np.float32), ValueError,
     r"Normalize: mean has 2 values, expected 1 or one per channel \(3\)"),
    (GaussianNoise(0.1), [1.0, 2.0], TypeError, r"GaussianNoise: expected a NumPy \(or CuPy\) array batch, got list"),
    (RandomHorizontalFlip(), nt.tensor(np.zeros((2, 1, 4, 4), np.float32)), TypeError,
     "RandomHorizontalFlip: expected a NumPy .* got Tensor"),
])
def test_bad_batches_name_the_transform(transform, x, error, match):
    with pytest.raises(error, match=match):
        transform(x)


def test_works_as_dataloader_transform(rng):
    x = batch(rng, (10, 1, 4, 4))
    y = np.arange(10)
    loader = DataLoader((x, y), batch_size=4, transform=RandomHorizontalFlip(p=1.0))
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x[..., ::-1])
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)


def test_works_as_fit_transform(rng):
    x = batch(rng, (24, 1, 6, 6))
    y = (x[:, 0, :, :3].mean(axis=(1, 2)) > x[:, 0, :, 3:].mean(axis=(1, 2))).astype(np.int64)
    before = x.copy()
    seen = []
    crop = RandomCrop(6, padding=1, seed=0)

    def spy(xb):
        out = crop(xb)
        seen.append((xb.shape, out))
        return out

    model = nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(2)])
    model.compile(optimizer="sgd", loss="cross_entropy", learning_rate=0.1)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, transform=spy)
    assert [s for s, _ in seen] == [(8, 1, 6, 6)] * 6       # every training batch, 2 epochs × 3 steps
    assert all(out.dtype == np.float32 for _, out in seen)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_array_equal(x, before)
