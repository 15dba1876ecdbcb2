"""Truncated BPTT: lane layout, carried state, truncated gradient, state resets in fit."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data.tbptt import TBPTTLoader, tbptt_arrays, tbptt_layout
from neuronet.nn import LSTM
from neuronet.train.callbacks import Callback, ResetStatesOnEpoch, reset_states
from tests.helpers import assert_close


def test_chunks_are_contiguous_per_lane_and_targets_shift_by_one():
    ids = np.arange(1000)
    loader = TBPTTLoader(ids, batch_size=4, bptt_steps=10)
    lane = 999 // 4                                   # 249 tokens per lane before rounding to chunks
    assert len(loader) == 24 and loader.tokens_per_pass == 24 * 4 * 10
    batches = list(loader)
    assert len(batches) == 24
    for k, (x, y) in enumerate(batches):
        assert x.shape == (4, 10) and y.shape == (4, 10) and x.dtype == np.int64
        assert_close(y, x + 1)                         # y is the next token
        for i in range(4):
            assert_close(x[i], np.arange(i * lane + 10 * k, i * lane + 10 * k + 10))
    # row i of batch k+1 continues row i of batch k
    for (x0, _), (x1, _) in zip(batches, batches[1:]):
        assert_close(x1[:, 0], x0[:, -1] + 1)
    assert list(loader)[3][0].tolist() == batches[3][0].tolist()   # re-iterable, same order


def test_arrays_match_the_loader_batch_by_batch():
    ids = np.random.default_rng(0).integers(0, 50, 700)
    x, y = tbptt_arrays(ids, batch_size=3, bptt_steps=7)
    batches = list(TBPTTLoader(ids, 3, 7))
    assert x.shape == (len(batches) * 3, 7)
    for k, (xb, yb) in enumerate(batches):
        assert_close(x[3 * k:3 * k + 3], xb)
        assert_close(y[3 * k:3 * k + 3], yb)


def test_max_batches_and_bad_input():
    assert len(TBPTTLoader(np.arange(1000), 4, 10, max_batches=5)) == 5
    with pytest.raises(ValueError, match="TBPTTLoader.*too short"):
        TBPTTLoader(np.arange(30), 4, 10)
    with pytest.raises(ValueError, match="TBPTTLoader.*1-D stream of integer"):
        TBPTTLoader(np.zeros((10, 10), dtype=np.int64), 2, 3)
    with pytest.raises(ValueError, match="tbptt_layout: bptt_steps"):
        tbptt_layout(np.arange(100), 2, 0)


def test_stateful_lstm_over_chunks_equals_one_long_call():
    nt.manual_seed(0)
    x = np.random.default_rng(1).standard_normal((3, 24, 5)).astype(np.float32)
    long = LSTM(6, return_sequences=True)
    full = long(nt.tensor(x)).numpy()
    stateful = LSTM(6, return_sequences=True, stateful=True)
    stateful(nt.tensor(x[:, :1]))
    stateful.load_state_dict(long.state_dict())
    stateful.reset_states()
    parts = [stateful(nt.tensor(x[:, t:t + 8])).numpy() for t in range(0, 24, 8)]
    assert_close(np.concatenate(parts, axis=1), full, rtol=1e-5)
    stateful.reset_states()                            # after a reset the next chunk starts from zeros
    assert_close(stateful(nt.tensor(x[:, 8:16])).numpy(), long(nt.tensor(x[:, 8:16])).numpy(), rtol=1e-5)


def test_gradient_stops_at_the_chunk_boundary():
    nt.manual_seed(0)
    rng = np.random.default_rng(2)
    layer = LSTM(4, return_sequences=True, stateful=True)
    x1 = nt.tensor(rng.standard_normal((2, 5, 3)).astype(np.float32), requires_grad=True)
    x2 = nt.tensor(rng.standard_normal((2, 5, 3)).astype(np.float32), requires_grad=True)
    layer(x1)
    out2 = layer(x2)
    (out2 * out2).sum().backward()
    assert x1.grad is None                             # chunk 2's loss does not reach chunk 1's input
    assert x2.grad is not None and np.abs(x2.grad).sum() > 0
    assert all(s.requires_grad is False for s in layer.states[0])
    # and yet chunk 2 did read chunk 1's state: its output differs from a fresh start
    fresh = LSTM(4, return_sequences=True)
    fresh(x2)
    fresh.load_state_dict(layer.state_dict())
    assert np.abs(fresh(x2).numpy() - out2.numpy()).max() > 1e-4


class _Recorder(Callback):
    """Records whether the LSTM carried a state when each batch began."""

    def __init__(self, lstm):
        super().__init__()
        self.lstm, self.carried = lstm, []

    def on_train_batch_begin(self, batch, logs=None):
        self.carried.append(self.lstm.states is not None)


def _lstm_model():
    nt.manual_seed(0)
    lstm = LSTM(4, return_sequences=True, stateful=True)
    model = nt.Sequential([nt.nn.Embedding(10, 3), lstm, nt.nn.Dense(10)])
    model.compile(optimizer="sgd", loss=lambda p, t: nt.functional.sparse_categorical_crossentropy(p, t, True))
    return model, lstm


def test_states_reset_at_each_epoch_and_before_validation():
    model, lstm = _lstm_model()
    ids = np.random.default_rng(3).integers(0, 10, 400)
    loader = TBPTTLoader(ids, 4, 10, max_batches=3)
    rec = _Recorder(lstm)
    seen_at_validation = []

    class Peek(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen_at_validation.append(logs["val_loss"])

    reset = ResetStatesOnEpoch()
    model.fit(loader, epochs=2, verbose=0, callbacks=[reset, rec, Peek()], validation_data=loader)
    # epoch start: zero states; the two following batches carry the previous batch's states
    assert rec.carried == [False, True, True, False, True, True]
    assert reset.resets == 1 + 2 * 2 + 1 and lstm.states is None
    # validation began from zero states: its loss equals a fresh evaluation of the same loader
    assert_close(seen_at_validation[-1], model.evaluate(loader)["loss"], rtol=1e-6)


def test_without_the_callback_states_leak_into_the_next_epoch():
    model, lstm = _lstm_model()
    loader = TBPTTLoader(np.random.default_rng(3).integers(0, 10, 400), 4, 10, max_batches=3)
    model.fit(loader, epochs=1, verbose=0, callbacks=[ResetStatesOnEpoch()])   # builds the model
    rec = _Recorder(lstm)
    model.fit(loader, epochs=2, verbose=0, callbacks=[rec])
    assert rec.carried == [False, True, True, True, True, True]
    assert reset_states(model) == 1 and lstm.states is None


def test_state_reset_helpers_live_in_train_callbacks_not_data():
    import neuronet.data.tbptt as tbptt
    assert nt.callbacks.ResetStatesOnEpoch is ResetStatesOnEpoch and nt.callbacks.reset_states is reset_states
    # data sits below train in the house: tbptt keeps the loader and layouts, nothing of train
    assert not hasattr(tbptt, "Callback") and not hasattr(tbptt, "ResetStatesOnEpoch")
    assert not hasattr(nt.data, "ResetStatesOnEpoch") and not hasattr(nt.data, "reset_states")
