"""nt.save/nt.load of nested objects (optimizer state dicts, checkpoint dicts): exact round trips in safetensors and
.npz, resumed optimizers that continue exactly, and damaged skeletons refused with a ValueError naming the file."""
import json
import math

import numpy as np
import pytest

import neuronet as nt


def _same(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_nested_objects_round_trip_exactly(tmp_path, suffix):
    obj = {"state": {0: {"step": 3, "m": np.arange(6, dtype=np.float32).reshape(2, 3)}, 1: {}},
           "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "name": None, "flag": True}],
           2.5: "float key", None: [float("nan"), float("inf"), -0.0], True: (),
           "scalar": np.float32(1.5), "count": np.int64(7), "empty": np.zeros((0, 3)), "0d": np.array(4.0),
           "a/b": np.ones(1), "a": {"b": np.zeros(1)}}  # two paths spelling "a/b" stay apart
    path = tmp_path / f"obj{suffix}"
    nt.save(obj, path, metadata={"note": "hello"})
    back = nt.load(path)
    _same(back, obj)
    assert nt.load_metadata(path) == {"note": "hello"}


def test_tensors_become_arrays_and_top_level_lists_work(tmp_path):
    nt.save([nt.ones(2, 2), {"t": nt.tensor([1, 2])}], tmp_path / "l.safetensors")
    back = nt.load(tmp_path / "l.safetensors")
    assert isinstance(back, list) and back[0].dtype == np.float32 and back[1]["t"].tolist() == [1, 2]


def test_flat_dicts_of_arrays_keep_the_plain_format(tmp_path):
    """A model's state dict stays a plain safetensors file that other readers load as named tensors."""
    nt.save({"w": np.ones(3, np.float32)}, tmp_path / "w.safetensors")
    header_len = int.from_bytes((tmp_path / "w.safetensors").read_bytes()[:8], "little")
    header = json.loads((tmp_path / "w.safetensors").read_bytes()[8:8 + header_len])
    assert list(header) == ["w"]


@pytest.mark.parametrize("make", [
    lambda p: nt.optim.Adam(p, lr=0.01, amsgrad=True),
    lambda p: nt.optim.SGD(p, lr=0.05, momentum=0.9),
    lambda p: nt.optim.RMSprop(p, lr=0.01, centered=True),
    lambda p: nt.optim.AdamW(p, lr=0.01, weight_decay=0.1),
])
def test_resumed_optimizer_continues_exactly(tmp_path, make, rng):
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.integers(0, 3, 16)

    def step(model, opt):
        opt.zero_grad()
        nt.F.cross_entropy(model(x), y).backward()
        opt.step()
    model = nt.nn.Sequential(nt.nn.Linear(4, 8), nt.nn.Tanh(), nt.nn.Linear(8, 3))
    opt = make(model.parameters())
    for _ in range(3):
        step(model, opt)
    nt.save(opt.state_dict(), tmp_path / "opt.safetensors")
    nt.save(model, tmp_path / "model.safetensors")
    again = nt.nn.Sequential(nt.nn.Linear(4, 8), nt.nn.Tanh(), nt.nn.Linear(8, 3))
    again.load_state_dict(nt.load(tmp_path / "model.safetensors"))
    again_opt = make(again.parameters())
    again_opt.load_state_dict(nt.load(tmp_path / "opt.safetensors"))
    for _ in range(3):
        step(model, opt)
        step(again, again_opt)
    for p, q in zip(model.parameters(), again.parameters()):
        assert np.array_equal(p.data, q.data)


def test_save_refuses_what_it_cannot_store_safely(tmp_path):
    with pytest.raises(TypeError, match=r"Linear at layer is saved through its state: put linear.state_dict\(\)"):
        nt.save({"layer": nt.nn.Linear(2, 2)}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="dict keys must be strings, numbers, booleans or None, got tuple"):
        nt.save({(1, 2): 3}, tmp_path / "x.safetensors")
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="the object contains itself"):
        nt.save({"a": loop}, tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match="metadata key 'neuronet.tree' is reserved"):
        nt.save({"a": 1}, tmp_path / "x.safetensors", metadata={"neuronet.tree": "[]"})


def test_damaged_skeleton_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "bad.safetensors"
    for skeleton in ('{"__array__": "missing"}', '{"__dict__": [[{"__int__": "x"}, 1]]}', '{"__code__": 1}',
                     '[' * 5000 + ']' * 5000):
        nt.save({"a": np.ones(2)}, path, metadata={"x": "y"})
        raw = path.read_bytes()
        n = int.from_bytes(raw[:8], "little")
        header = json.loads(raw[8:8 + n])
        header["__metadata__"] = {"neuronet.tree": skeleton}
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        path.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + n:])
        with pytest.raises(ValueError, match=r"bad.safetensors is not a valid safetensors file: the nested object"):
            nt.load(path)
