"""Auto-encoders: PyTorch parity of the Conv2DTranspose decoder, learning on MNIST-5k subsets with
stated thresholds, denoising beats the plain AE on noisy inputs, contractive/sparse options, errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import corrupt
from neuronet.models import AutoEncoder, conv_autoencoder, dense_autoencoder
from tests.helpers import assert_close


@pytest.fixture(scope="module")
def digits():
    x, y = nt.data.load_mnist_5k()
    return x[:4000], x[4000:]


def test_conv_autoencoder_matches_torch(torch):
    ae = conv_autoencoder(channels=(4, 8))
    x = np.random.default_rng(0).random((3, 1, 28, 28)).astype(np.float32)
    ae.compile("sgd", loss="mse")
    ae.predict(x)  # builds the lazy layers
    convs = [m for m in ae.modules() if isinstance(m, (nt.nn.Conv2D, nt.nn.Conv2DTranspose))]
    nn = torch.nn
    ref = nn.Sequential(nn.Conv2d(1, 4, 3, 2, 1), nn.ReLU(), nn.Conv2d(4, 8, 3, 2, 1), nn.ReLU(),
                        nn.ConvTranspose2d(8, 4, 3, 2, 1, 1), nn.ReLU(), nn.ConvTranspose2d(4, 1, 3, 2, 1, 1),
                        nn.Sigmoid())
    tconvs = [m for m in ref if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    for a, b in zip(convs, tconvs):
        b.weight.data[:] = torch.tensor(a.weight.numpy())
        b.bias.data[:] = torch.tensor(a.bias.numpy())
    xt = nt.tensor(x, requires_grad=True)
    y = ae(xt)
    nt.functional.mse_loss(y, nt.tensor(x)).backward()
    tx = torch.tensor(x, requires_grad=True)
    ty = ref(tx)
    torch.nn.functional.mse_loss(ty, torch.tensor(x)).backward()
    assert_close(y.numpy(), ty.detach().numpy(), 1e-5, "output")
    assert_close(xt.grad, tx.grad.numpy(), 1e-5, "input gradient")
    for a, b in zip(convs, tconvs):
        assert_close(a.weight.grad, b.weight.grad.numpy(), 1e-5, f"{a._name()} weight gradient")
        assert_close(a.bias.grad, b.bias.grad.numpy(), 1e-5, f"{a._name()} bias gradient")


def test_dense_autoencoder_learns_digits(digits):
    train, test = digits
    ae = dense_autoencoder(code=32, hidden=(128,))
    ae.compile("adam", loss="mse", learning_rate=3e-3)
    ae.fit(train, epochs=8, batch_size=32, verbose=0, seed=0)
    mse = float(np.mean((ae.reconstruct(test) - test) ** 2))
    baseline = float(np.mean((test - train.mean(0)) ** 2))  # predicting the mean image
    assert mse < 0.4 * baseline, (mse, baseline)
    assert ae.encode(test[:5]).shape == (5, 32) and ae.decode(np.zeros((2, 32), np.float32)).shape == (2, 1, 28, 28)


def test_denoising_beats_plain_on_noisy_inputs(digits):
    train, test = digits
    errors = {}
    for name, corruption in (("plain", None), ("denoising", ("salt_and_pepper", 0.3))):
        ae = dense_autoencoder(code=32, hidden=(128,), corruption=corruption)
        ae.compile("adam", loss="mse", learning_rate=3e-3)
        ae.fit(train, epochs=8, batch_size=32, verbose=0, seed=0)
        nt.manual_seed(7)
        noisy = corrupt(nt.tensor(test), "salt_and_pepper", 0.3).numpy()
        errors[name] = float(np.mean((ae.reconstruct(noisy) - test) ** 2))
    assert errors["denoising"] < 0.8 * errors["plain"], errors


def test_corruption_only_in_training():
    ae = dense_autoencoder(code=4, hidden=(), corruption=("masking", 0.5))
    x = np.random.default_rng(0).random((4, 1, 28, 28)).astype(np.float32)
    a, b = ae.reconstruct(x), ae.reconstruct(x)
    np.testing.assert_array_equal(a, b)


def test_contractive_autoencoder_penalty_in_fit(digits):
    train, _ = digits
    ae = AutoEncoder(nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(64, activation="sigmoid")]),
                     nt.Sequential([nt.nn.Dense(784, activation="sigmoid"), nt.nn.Reshape((1, 28, 28))]),
                     contractive=0.1)
    ae.compile("adam", loss="mse", learning_rate=2e-3)
    hist = ae.fit(train[:1000], epochs=3, batch_size=50, verbose=0, seed=0).history
    assert hist["reg_loss"][-1] < hist["reg_loss"][0]
    with pytest.raises(ValueError, match="contractive=λ needs"):
        AutoEncoder(dense_autoencoder().encoder, dense_autoencoder().decoder, contractive=0.1)


def test_sparse_code_regularizer_reaches_the_loss():
    ae = dense_autoencoder(code=16, hidden=(), code_activation="sigmoid", code_regularizer=nt.nn.SparsityKL(0.05, 1.0))
    ae.compile("adam", loss="mse")
    x = np.random.default_rng(0).random((16, 1, 28, 28)).astype(np.float32)
    logs = ae.train_on_batch(x, x)
    assert logs["reg_loss"] > 0


def test_upsampling_decoder_and_bad_args():
    ae = conv_autoencoder(channels=(4, 8), code=10, upsample="nearest")
    assert ae.predict(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 1, 28, 28)
    assert ae.encode(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)
    with pytest.raises(ValueError, match="upsample must be"):
        conv_autoencoder(upsample="bilinear")
    with pytest.raises(ValueError, match="corruption must be"):
        dense_autoencoder(corruption="gaussian")
