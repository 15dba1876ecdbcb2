"""GANs: the losses against PyTorch's formulas, alternating updates that touch only their own
network, a small GAN that learns a 2-D Gaussian (stated thresholds), DCGAN/conditional shapes,
and the Fréchet distance / inception score against closed forms and scipy."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models import GAN, dcgan, dense_gan, frechet_distance, inception_score
from neuronet.models.gan import _d_loss, _g_loss


@pytest.mark.parametrize("kind", ["non_saturating", "hinge"])
def test_gan_losses_match_torch(torch, kind):
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((6, 1)), rng.standard_normal((6, 1))
    F = torch.nn.functional
    tr, tf = torch.tensor(real), torch.tensor(fake)
    if kind == "hinge":
        d_ref = F.relu(1 - tr).mean() + F.relu(1 + tf).mean()
        g_ref = -tf.mean()
    else:
        d_ref = F.binary_cross_entropy_with_logits(tr, torch.ones_like(tr)) + \
            F.binary_cross_entropy_with_logits(tf, torch.zeros_like(tf))
        g_ref = F.binary_cross_entropy_with_logits(tf, torch.ones_like(tf))
    assert np.isclose(float(_d_loss(kind, nt.tensor(real), nt.tensor(fake)).item()), float(d_ref))
    assert np.isclose(float(_g_loss(kind, nt.tensor(fake)).item()), float(g_ref))


def _toy_gan(spectral_norm=False):
    sn = nt.nn.SpectralNorm if spectral_norm else (lambda layer: layer)
    g = nt.Sequential([nt.nn.Dense(16, activation="relu"), nt.nn.Dense(2)])
    d = nt.Sequential([sn(nt.nn.Dense(32, activation="relu")), sn(nt.nn.Dense(1))])
    return GAN(g, d, latent=4)


def test_each_step_updates_only_its_network():
    gan = _toy_gan()
    gan.compile(learning_rate=0.0, d_learning_rate=1e-2)
    x = np.random.default_rng(0).standard_normal((32, 2)).astype(np.float32)
    gan.train_on_batch(x, x)
    g0 = [p.numpy().copy() for p in gan.generator.parameters()]
    d0 = [p.numpy().copy() for p in gan.discriminator.parameters()]
    logs = gan.train_on_batch(x, x)
    assert all(np.array_equal(a, p.numpy()) for a, p in zip(g0, gan.generator.parameters()))
    assert not all(np.array_equal(a, p.numpy()) for a, p in zip(d0, gan.discriminator.parameters()))
    assert set(logs) >= {"loss", "d_loss", "g_loss"} and np.isclose(logs["loss"], logs["d_loss"] + logs["g_loss"])


@pytest.mark.parametrize("loss", ["non_saturating", "hinge"])
def test_gan_learns_a_gaussian(loss):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((2048, 2)) * [0.5, 0.3] + [2.0, -1.0]).astype(np.float32)
    gan = _toy_gan(spectral_norm=loss == "hinge")  # hinge: the SN-GAN pairing
    gan.compile(loss=loss, learning_rate=2e-3, d_learning_rate=2e-3)
    hist = gan.fit(x, epochs=25, batch_size=64, verbose=0, seed=0).history
    s = gan.generate(2000, seed=1)
    assert np.abs(s.mean(0) - [2.0, -1.0]).max() < 0.3, s.mean(0)    # the untrained G sits near (0, 0)
    assert np.all((s.std(0) > [0.2, 0.1]) & (s.std(0) < [1.0, 0.6])), s.std(0)
    assert len(hist["d_loss"]) == 25


def test_dcgan_and_conditional_shapes():
    x = np.random.default_rng(0).uniform(-1, 1, (16, 1, 28, 28)).astype(np.float32)
    y = np.arange(16) % 10
    for gan, data in ((dcgan(latent=8, width=4), x), (dcgan(latent=8, width=4, spectral_norm=True), x),
                      (dcgan(latent=8, width=4, num_classes=10), (x, y)), (dense_gan(8, (16,), num_classes=10), (x, y))):
        gan.compile(loss="hinge" if any(isinstance(m, nt.nn.SpectralNorm) for m in gan.modules()) else "non_saturating")
        hist = gan.fit(data, epochs=1, batch_size=8, verbose=0, seed=0).history
        assert np.isfinite(hist["loss"][0])
        labels = np.arange(5) if gan.num_classes else None
        images = gan.generate(5, labels=labels, seed=0)
        assert images.shape == (5, 1, 28, 28) and np.abs(images).max() <= 1
        assert set(gan.evaluate(data)) == {"loss", "d_loss", "g_loss"}
    with pytest.raises(ValueError, match="needs labels"):
        gan.generate(2)
    with pytest.raises(ValueError, match="GAN.compile: loss must be"):
        dense_gan().compile(loss="wasserstein")


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20000, 3))
    assert frechet_distance(a, a) < 1e-6
    shift = np.array([1.0, -2.0, 0.5])
    assert abs(frechet_distance(a, a + shift) - (shift ** 2).sum()) < 1e-6
    # N(0, I) vs N(0, 4I): tr(I + 4I − 2·2I) = D
    assert abs(frechet_distance(a, 2 * rng.standard_normal((20000, 3))) - 3.0) < 0.15
    with pytest.raises(ValueError, match="frechet_distance"):
        frechet_distance(a, a[:, :2])


def test_frechet_distance_matches_scipy_sqrtm():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((300, 5)), rng.standard_normal((300, 5)) @ rng.standard_normal((5, 5)) + 0.3
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    ref = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * scipy_linalg.sqrtm(ca @ cb).real)
    assert np.isclose(frechet_distance(a, b), ref, rtol=1e-6)


def test_inception_score_bounds():
    assert np.isclose(inception_score(np.full((100, 10), 0.1)), 1.0)
    assert np.isclose(inception_score(np.eye(10)[np.arange(100) % 10]), 10.0, rtol=1e-6)
