"""VAE: the whole negative ELBO and its gradients against the same network in PyTorch (fixed ε),
learning on dynamically binarised MNIST-5k, IW bound below the ELBO, conditional and β options."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models import VAE, binarize, dense_vae
from tests.helpers import assert_close


@pytest.fixture(scope="module")
def digits():
    x, y = nt.data.load_mnist_5k()
    return x[:3000], y[:3000], x[4000:4500], y[4000:4500]


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_negative_elbo_and_gradients_match_torch(torch, likelihood):
    rng = np.random.default_rng(0)
    x = binarize(rng.random((5, 1, 4, 4)).astype(np.float32), seed=1)
    vae = dense_vae(latent=3, hidden=(8,), input_shape=(1, 4, 4), likelihood=likelihood)
    vae.compile("sgd", learning_rate=0.0)
    vae.predict(x)  # builds
    eps = rng.standard_normal((5, 3)).astype(np.float32)
    vae._eps = lambda shape, dtype: nt.tensor(eps)
    xt = nt.tensor(x)
    nll, kl = vae._terms(xt)
    loss = (nll + kl).mean()
    loss.backward()

    dense = [m for m in vae.modules() if isinstance(m, nt.nn.Dense)]
    enc, dec_h, dec_out = dense[0], dense[1], dense[2]
    tp = {id(m): (torch.tensor(m.weight.numpy(), requires_grad=True), torch.tensor(m.bias.numpy(), requires_grad=True))
          for m in dense + [vae.mu_head, vae.logvar_head]}
    F = torch.nn.functional
    lin = lambda m, a: F.linear(a, *tp[id(m)])  # noqa: E731
    tx = torch.tensor(x).reshape(5, -1)
    h = F.relu(lin(enc, tx))
    mu, lv = lin(vae.mu_head, h), lin(vae.logvar_head, h)
    z = mu + torch.exp(0.5 * lv) * torch.tensor(eps)
    out = lin(dec_out, F.relu(lin(dec_h, z)))
    if likelihood == "bernoulli":
        t_nll = F.binary_cross_entropy_with_logits(out, tx, reduction="none").sum(1)
    else:
        t_lv = torch.zeros(1, requires_grad=True)
        t_nll = -torch.distributions.Normal(out, torch.exp(0.5 * t_lv)).log_prob(tx).sum(1)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * lv))
    t_kl = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).sum(1)
    t_loss = (t_nll + t_kl).mean()
    t_loss.backward()
    assert_close(loss.numpy(), t_loss.detach().numpy(), 1e-5, "negative ELBO")
    for m in dense + [vae.mu_head, vae.logvar_head]:
        assert_close(m.weight.grad, tp[id(m)][0].grad.numpy(), 1e-4, f"{m._name()} weight gradient")
    if likelihood == "gaussian":
        assert_close(vae.decoder_logvar.grad, t_lv.grad.numpy(), 1e-4, "decoder log-variance gradient")


def test_vae_learns_binarised_digits(digits):
    x, _, x_test, _ = digits
    vae = dense_vae(latent=8, hidden=(128,), binarize=True)
    vae.compile("adam", learning_rate=2e-3)
    hist = vae.fit(x, epochs=6, batch_size=100, verbose=0, seed=0).history
    x_bin = binarize(x_test, seed=0)
    elbo = vae.negative_elbo(x_bin)
    nll = vae.log_likelihood(x_bin, k=100)
    assert hist["loss"][-1] < hist["loss"][0]
    assert elbo < 195, elbo  # an untrained decoder: ~545 nats (784·log 2); independent pixel means: 209
    assert nll < elbo, (nll, elbo)  # the importance-weighted bound is the tighter one
    assert vae.sample(4, seed=0).shape == (4, 1, 28, 28)
    assert vae.encode(x_test[:3]).shape == (3, 8)
    path = vae.interpolate(x_test[0], x_test[1], steps=5)
    assert path.shape == (5, 1, 28, 28) and 0 <= path.min() and path.max() <= 1


def test_conditional_vae_needs_and_uses_labels(digits):
    x, y, _, _ = digits
    cvae = dense_vae(latent=2, hidden=(64,), num_classes=10, binarize=True)
    cvae.compile("adam", learning_rate=2e-3)
    hist = cvae.fit((x[:1000], y[:1000]), epochs=2, batch_size=100, verbose=0, seed=0).history
    assert hist["loss"][-1] < hist["loss"][0]
    a = cvae.sample(2, labels=np.array([0, 0]), seed=0)
    b = cvae.sample(2, labels=np.array([1, 1]), seed=0)
    assert not np.allclose(a, b)  # the same z, a different label: a different image
    with pytest.raises(ValueError, match="needs labels"):
        cvae.sample(2)


def test_beta_weights_the_kl():
    x = binarize(np.random.default_rng(0).random((20, 1, 4, 4)).astype(np.float32), seed=0)
    logs = {}
    for beta in (1.0, 3.0):
        nt.manual_seed(0)
        vae = dense_vae(latent=2, hidden=(4,), input_shape=(1, 4, 4), beta=beta)
        vae.compile("sgd", learning_rate=0.0)
        logs[beta] = vae.train_on_batch(x, x)
    kl = logs[1.0]["reg_loss"]
    assert np.isclose(logs[3.0]["reg_loss"], kl, rtol=1e-5)
    nt.manual_seed(0)  # the same ε: loss(β=3) − loss(β=1) = 2·KL up to the sampled reconstruction term
    assert logs[3.0]["loss"] > logs[1.0]["loss"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="likelihood must be"):
        dense_vae(likelihood="poisson")
    with pytest.raises(ValueError, match="do not pass loss"):
        dense_vae().compile("adam", loss="mse")
    with pytest.raises(ValueError, match="k must be"):
        dense_vae().log_likelihood(np.zeros((1, 1, 28, 28), np.float32), k=0)
    assert isinstance(dense_vae(), VAE)


@pytest.mark.slow
def test_vae_elbo_matches_the_same_network_in_torch(torch):
    """The fashion-vae network trained the same way in both frameworks (same initial weights, Adam
    1e-3, batch 128, dynamic binarisation) ends within 1 % in test −ELBO."""
    from benchmarks.workloads.base import copy_weights
    from benchmarks.workloads.generative import build_vae_torch
    (x, _), (xt, _) = nt.data.load_fashion_mnist()
    x, xt = x[:20000], binarize(xt[:2000], seed=0)
    vae = dense_vae(latent=20, hidden=(512, 256), binarize=True)
    vae.compile("adam", learning_rate=1e-3)
    vae.predict(x[:2])
    ref = build_vae_torch(torch)
    assert copy_weights(vae, ref) is None
    torch.manual_seed(0)
    opt = torch.optim.Adam(ref.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        for idx in np.array_split(rng.permutation(len(x)), len(x) // 128):
            xb = torch.from_numpy(binarize(x[idx], seed=int(rng.integers(2**31))))
            opt.zero_grad()
            nll, kl = ref.terms(xb)
            (nll + kl).mean().backward()
            opt.step()
    vae.fit(x, epochs=3, batch_size=128, verbose=0, seed=0)
    with torch.no_grad():
        nll, kl = ref.terms(torch.from_numpy(xt))
        torch_elbo = float((nll + kl).mean())
    ours = vae.negative_elbo(xt)
    assert abs(ours - torch_elbo) < 0.01 * torch_elbo, (ours, torch_elbo)
