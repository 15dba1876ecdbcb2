"""Module hooks with torch.nn.Module's semantics: forward pre-hooks, forward hooks, full backward (pre-)hooks,
removable handles — compared with the same hooks on the same torch model."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close


def _twin_mlps(torch):
    ours = nt.nn.Sequential(nt.nn.Linear(3, 4), nt.nn.Tanh(), nt.nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _arr(g):
    if g is None:
        return None
    return g.detach().numpy() if hasattr(g, "detach") else np.asarray(g)


def test_forward_hooks_see_and_replace_inputs_and_outputs(torch, rng):
    ours, theirs = _twin_mlps(torch)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    seen = {}
    for model, tag in ((ours, "nt"), (theirs, "torch")):
        model[0].register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        model[1].register_forward_hook(lambda m, args, out, tag=tag: seen.update({tag: _arr(out)}))  # returns None
        model[2].register_forward_hook(lambda m, args, out: out + 1)
    y = ours(nt.tensor(x))
    ty = theirs(torch.tensor(x))
    assert_close(y.numpy(), ty.detach().numpy())
    assert_close(seen["nt"], seen["torch"])


def test_hook_order_prepend_and_removal():
    layer = nt.nn.Linear(2, 2)
    calls = []
    h1 = layer.register_forward_hook(lambda m, a, o: calls.append("first"))
    layer.register_forward_hook(lambda m, a, o: calls.append("prepended"), prepend=True)
    layer.register_forward_pre_hook(lambda m, a: calls.append("pre"))
    layer(np.ones((1, 2), np.float32))
    assert calls == ["pre", "prepended", "first"]
    h1.remove()
    h1.remove()  # twice is harmless
    calls.clear()
    layer(np.ones((1, 2), np.float32))
    assert calls == ["pre", "prepended"]
    with layer.register_forward_hook(lambda m, a, o: calls.append("scoped")):
        layer(np.ones((1, 2), np.float32))
    calls.clear()
    layer(np.ones((1, 2), np.float32))
    assert "scoped" not in calls


def test_hooks_with_kwargs():
    class Scale(nt.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor
    m = Scale()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": kwargs.get("factor", 1.0) * 10}),
                                with_kwargs=True)
    got = []
    m.register_forward_hook(lambda mod, args, kwargs, out: got.append(kwargs["factor"]), with_kwargs=True)
    assert m(nt.ones(2), factor=2.0).tolist() == [20.0, 20.0] and got == [20.0]


def test_pre_hook_runs_before_the_lazy_build():
    layer = nt.nn.Dense(3)
    layer.register_forward_pre_hook(lambda m, args: (nt.tensor(np.ones((2, 5), np.float32)),))
    layer(np.ones((2, 4), np.float32))
    assert layer.weight.shape == (3, 5)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hooks_match_torch(torch, rng):
    ours, theirs = _twin_mlps(torch)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    rec = {}

    def recorder(key):
        def hook(module, grad_input, grad_output):
            rec[key] = ([_arr(g) for g in grad_input], [_arr(g) for g in grad_output])
        return hook
    for model, tag in ((ours, "nt"), (theirs, "torch")):
        for i in (0, 2):
            model[i].register_full_backward_hook(recorder((tag, i)))
    ours(nt.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    for i in (0, 2):
        (gi, go), (tgi, tgo) = rec[("nt", i)], rec[("torch", i)]
        assert len(gi) == len(tgi) and len(go) == len(tgo)
        for a, b in zip(gi + go, tgi + tgo):
            assert (a is None) == (b is None)
            if a is not None:
                assert_close(a, b)
    assert rec[("nt", 0)][0] == [None]  # the data input needs no gradient, as in torch


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hook_can_replace_grad_input_and_pre_hook_grad_output(torch, rng):
    ours, theirs = _twin_mlps(torch)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    for model in (ours, theirs):
        model[2].register_full_backward_hook(lambda m, gi, go: tuple(g * 0.5 for g in gi))
        model[0].register_full_backward_pre_hook(lambda m, go: tuple(g * 3 for g in go))
    ours(nt.tensor(x)).sum().backward()
    theirs(torch.tensor(x)).sum().backward()
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, tp.grad.numpy(), what=name)


def test_backward_hook_on_torch_style_lstm_with_tuple_output(torch, rng):
    lstm = nt.nn.LSTM(3, 4, batch_first=True)
    got = []
    lstm.register_full_backward_hook(lambda m, gi, go: got.append((len(gi), [g.shape for g in go])))
    x = nt.tensor(rng.standard_normal((2, 5, 3)).astype(np.float32), requires_grad=True)
    out, (h, c) = lstm(x)
    out.sum().backward()
    assert got == [(1, [(2, 5, 4)])]
    assert x.grad is not None and x.grad.shape == (2, 5, 3)


def test_hooks_are_not_called_without_grad_and_bad_hooks_are_refused():
    layer = nt.nn.Linear(2, 2)
    calls = []
    layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    with nt.no_grad():
        layer(np.ones((1, 2), np.float32))
    assert calls == []
    with pytest.raises(TypeError, match="register_forward_hook: the hook must be callable"):
        layer.register_forward_hook(3)


def test_backward_hook_functions_pass_gradients_unchanged_gradcheck():
    """The identity Functions that carry backward hooks: a float64 gradient check through a hooked layer."""
    nt.set_default_dtype(np.float64)
    layer = nt.nn.Linear(3, 2)
    calls = []
    layer.register_full_backward_hook(lambda m, gi, go: calls.append(1))
    layer.register_full_backward_pre_hook(lambda m, go: None)
    x = nt.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True, dtype="float64")
    assert nt.gradcheck(lambda t: (layer(t) ** 2).sum(), x)
    assert calls
