"""Character LSTM language model: shapes, loss, generation with carried state, learning a tiny text."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data.tbptt import TBPTTLoader
from neuronet.train.callbacks import ResetStatesOnEpoch
from neuronet.data.text import Vocabulary
from neuronet.models import START_ID, STOP_ID, CharLSTMLanguageModel, sequence_cross_entropy
from tests.helpers import assert_close, check_grad, check_parity


def test_logits_shape_and_bad_input():
    nt.manual_seed(0)
    model = CharLSTMLanguageModel(12, embedding_dim=5, units=7, num_layers=2, dropout=0.2)
    assert model(nt.tensor(np.zeros((3, 9), dtype=np.int64))).shape == (3, 9, 12)
    with pytest.raises(ValueError, match="CharLSTMLanguageModel: expected integer token ids"):
        model(nt.tensor(np.zeros((3, 9), dtype=np.float32)))
    with pytest.raises(ValueError, match="CharLSTMLanguageModel: units"):
        CharLSTMLanguageModel(12, units=0)


def _logits_and_targets():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 6, 9)).astype(np.float32)
    targets = rng.integers(0, 9, (4, 6))
    return logits, targets


def test_sequence_cross_entropy_matches_torch_on_time_major_logits(torch):
    logits, targets = _logits_and_targets()
    check_parity(lambda x: sequence_cross_entropy(x, nt.tensor(targets)),
                 lambda x: torch.nn.functional.cross_entropy(x.permute(0, 2, 1), torch.tensor(targets)),
                 logits)


def test_sequence_cross_entropy_gradcheck_and_target_shape():
    logits, targets = _logits_and_targets()
    check_grad(lambda x: sequence_cross_entropy(x, nt.tensor(targets[:2, :3])), logits[:2, :3].astype(np.float64))
    with pytest.raises(ValueError, match="sequence_cross_entropy: targets must have shape \\(4, 6\\)"):
        sequence_cross_entropy(nt.tensor(logits), nt.tensor(targets[:, :5]))


def test_generation_carries_the_state_like_rerunning_the_prefix():
    nt.manual_seed(0)
    model = CharLSTMLanguageModel(10, embedding_dim=4, units=8, num_layers=2)
    model.eval()
    prime = [START_ID, 5, 7]
    fast = model.generate(prime=prime, length=12, greedy=True, stop_id=None)
    slow, seq = [], list(prime)
    for _ in range(12):                                  # the naive way: re-read the whole prefix
        logits = model(nt.tensor(np.asarray([seq]))).numpy()[0, -1]
        slow.append(int(logits.argmax()))
        seq.append(slow[-1])
    assert fast == slow and len(fast) == 12


def test_generation_stops_and_leaves_training_states_alone():
    nt.manual_seed(1)
    model = CharLSTMLanguageModel(6, embedding_dim=3, units=5, stateful=True)
    model(nt.tensor(np.zeros((4, 3), dtype=np.int64)))
    carried = model.lstm0.states
    ids = model.generate(length=300, temperature=1.5, stop_id=STOP_ID)
    assert 1 <= len(ids) <= 300 and all(0 <= i < 6 for i in ids)
    assert (ids[-1] == STOP_ID) == (len(ids) < 300) and STOP_ID not in ids[:-1]
    assert model.lstm0.states is carried and model.training
    with pytest.raises(ValueError, match="generate: prime"):
        model.generate(prime=[9])


def test_learns_a_tiny_text_and_writes_it_back(tmp_path):
    nt.manual_seed(0)
    vocab = Vocabulary.build([list("to be or not")], start_stop=True)
    stream = np.asarray(vocab.encode(list("to be or not")) * 60, dtype=np.int64)
    model = CharLSTMLanguageModel(len(vocab), embedding_dim=8, units=32, stateful=True)
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=1e-2)
    loader = TBPTTLoader(stream, batch_size=4, bptt_steps=15)
    history = model.fit(loader, epochs=15, verbose=0, callbacks=[ResetStatesOnEpoch()])
    assert history.history["loss"][0] > 1.5 and history.history["loss"][-1] < 0.1
    ids = model.generate(length=40, greedy=True)
    assert "".join(vocab.decode(ids)) == "to be or not" and ids[-1] == STOP_ID
    assert "".join(vocab.decode(model.generate("to be", 40, greedy=True, vocabulary=vocab))) == " or not"
    with pytest.raises(ValueError, match="text prime needs vocabulary"):
        model.generate("to be")
    model.save(tmp_path / "lm.safetensors")
    again = nt.load_model(tmp_path / "lm.safetensors")
    assert isinstance(again, CharLSTMLanguageModel) and again.generate(length=40, greedy=True) == ids
    x = nt.tensor(stream[None, :20])
    model.eval(), again.eval()
    model.lstm0.reset_states(), again.lstm0.reset_states()
    assert_close(again(x).numpy(), model(x).numpy(), rtol=1e-6)
