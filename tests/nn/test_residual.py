"""The basic ResNet block against the same block written in PyTorch, with weights copied."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close


def torch_block(torch, cin, filters, strides, projection):
    """The basic block in PyTorch (the class is defined here: torch is imported only by tests that use it)."""
    class TorchBlock(torch.nn.Module):
        def __init__(self, cin, filters, strides, projection):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(cin, filters, 3, strides, 1, bias=False)
            self.bn1 = torch.nn.BatchNorm2d(filters)
            self.conv2 = torch.nn.Conv2d(filters, filters, 3, 1, 1, bias=False)
            self.bn2 = torch.nn.BatchNorm2d(filters)
            self.shortcut_conv = torch.nn.Conv2d(cin, filters, 1, strides, bias=False) if projection else None
            self.shortcut_bn = torch.nn.BatchNorm2d(filters) if projection else None

        def forward(self, x):
            h = torch.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            s = x if self.shortcut_conv is None else self.shortcut_bn(self.shortcut_conv(x))
            return torch.relu(h + s)
    return TorchBlock(cin, filters, strides, projection)


@pytest.mark.parametrize("cin, filters, strides, projection", [(4, 4, 1, False), (4, 8, 2, True), (3, 6, 1, True)])
def test_block_matches_torch_in_training_and_eval(cin, filters, strides, projection, torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, cin, 8, 8)).astype(np.float32)
    block = nt.nn.ResidualBlock(filters, strides)
    block(nt.tensor(x))
    assert (block.shortcut_conv is not None) == projection
    ref = torch_block(torch, cin, filters, strides, projection)
    ref.load_state_dict({k: torch.tensor(v) for k, v in block.state_dict().items()})
    xt, xr = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yr = block(xt), ref(xr)
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    yr.backward(torch.tensor(g))
    assert_close(y.numpy(), yr.detach().numpy())
    assert_close(xt.grad, xr.grad.numpy())
    for name, p in block.named_parameters():
        assert_close(p.grad, dict(ref.named_parameters())[name].grad.numpy())
    block.eval()
    ref.eval()
    with nt.no_grad(), torch.no_grad():
        assert_close(block(nt.tensor(x)).numpy(), ref(torch.tensor(x)).numpy())


def test_shape_change_without_projection_is_an_error():
    with pytest.raises(ValueError, match="needs projection=True"):
        nt.nn.ResidualBlock(8, projection=False)(nt.tensor(np.zeros((1, 4, 6, 6), np.float32)))
