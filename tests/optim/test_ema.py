"""The exponential moving average of weights: torch's AveragedModel (EMA, use_buffers=True) on the
same weight sequence, the warm-up rule, swapping in and back, and the GAN that samples with it."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.optim import ExponentialMovingAverage


def _set_random_weights(model, torch_model, rng):
    """The same fresh random values in both models' parameters and batch-norm running statistics."""
    import torch
    ours = dict(model.named_parameters()) | {k: v for k, v in model.named_buffers() if v.dtype.kind == "f"}
    theirs = dict(torch_model.named_parameters()) | {k: v for k, v in torch_model.named_buffers() if v.is_floating_point()}
    for name, value in ours.items():
        array = value if isinstance(value, np.ndarray) else value.data
        new = rng.standard_normal(array.shape).astype(np.float32)
        array[...] = new
        with torch.no_grad():
            theirs[name].copy_(torch.from_numpy(new))


def test_ema_matches_torch_averaged_model(torch):
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    model = nt.Sequential([nt.nn.Dense(5), nt.nn.BatchNorm1D(), nt.nn.Dense(2)])
    model(nt.tensor(np.zeros((3, 4), np.float32)))
    torch_model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 2))
    rng = np.random.default_rng(0)
    _set_random_weights(model, torch_model, rng)
    ema = ExponentialMovingAverage(model, decay=0.9, warmup=False)
    averaged = AveragedModel(torch_model, multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True)
    averaged.update_parameters(torch_model)  # torch's first update copies the weights: our construction
    for _ in range(6):
        _set_random_weights(model, torch_model, rng)
        ema.update()
        averaged.update_parameters(torch_model)
    expected = dict(averaged.module.named_parameters()) | dict(averaged.module.named_buffers())
    assert set(ema.shadow) == {"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                               "2.weight", "2.bias"}
    for name, value in ema.shadow.items():  # Dense weights are stored (out, in) like torch's
        np.testing.assert_allclose(value, expected[name].detach().numpy(), rtol=1e-5, atol=1e-6)


def test_warmup_swap_and_errors():
    model = nt.Sequential([nt.nn.Dense(3)])
    model(nt.tensor(np.zeros((1, 2), np.float32)))
    w = model.parameters().__iter__().__next__()
    start = w.data.copy()
    ema = ExponentialMovingAverage(model, decay=0.999)
    assert ema.current_decay() == pytest.approx(0.1)          # (1 + 0)/(10 + 0): the first update mostly copies
    w.data[...] = start + 1.0
    ema.update()
    np.testing.assert_allclose(ema.shadow["0.weight"], start + 0.9, rtol=1e-6)
    with ema.average_parameters():
        np.testing.assert_allclose(w.data, start + 0.9, rtol=1e-6)
    np.testing.assert_allclose(w.data, start + 1.0)          # the raw weights are back
    state = ema.state_dict()
    other = ExponentialMovingAverage(model, decay=0.5)
    other.load_state_dict(state)
    assert other.num_updates == 1 and other.decay == 0.999
    np.testing.assert_array_equal(other.shadow["0.weight"], ema.shadow["0.weight"])
    with pytest.raises(ValueError, match=r"decay must be a number in \[0, 1\)"):
        ExponentialMovingAverage(model, decay=1.0)
    with pytest.raises(ValueError, match="build the module first"):
        ExponentialMovingAverage(nt.Sequential([nt.nn.Dense(3)]))


def test_gan_generates_with_the_averaged_generator():
    x = np.random.default_rng(0).uniform(-1, 1, (32, 1, 28, 28)).astype(np.float32)
    gan = nt.models.dcgan(latent=8, width=4, ema_decay=0.9)
    gan.compile()
    gan.fit(x, epochs=2, batch_size=8, verbose=0, seed=0)
    assert gan.g_ema.num_updates == 8                         # one update per generator step
    averaged, raw = gan.generate(4, seed=0), gan.generate(4, seed=0, averaged=False)
    assert not np.allclose(averaged, raw)
    with gan.g_ema.average_parameters():
        np.testing.assert_allclose(gan.generate(4, seed=0, averaged=False), averaged, rtol=1e-6)
    np.testing.assert_array_equal(gan.generate(4, seed=0, averaged=False), raw)
    with pytest.raises(ValueError, match="ema_decay"):
        nt.models.dcgan(ema_decay=1.5)
