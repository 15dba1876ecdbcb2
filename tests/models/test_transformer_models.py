"""Transformer models: shapes, padding and causal masks, generation, learning, save/load."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models import sequence_cross_entropy
from neuronet.models.transformer import GPTLanguageModel, Seq2SeqTransformer, TransformerClassifier
from tests.helpers import assert_close


def _classifier(pooling="cls", norm_first=True):
    nt.manual_seed(0)
    model = TransformerClassifier(30, 3, d_model=8, nhead=2, num_layers=2, dim_feedforward=16, max_len=12,
                                  dropout=0.0, pooling=pooling, norm_first=norm_first)
    return model.eval()


@pytest.mark.parametrize("pooling", ["cls", "mean"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_classifier_shapes_and_padding_is_ignored(pooling, norm_first):
    model = _classifier(pooling, norm_first)
    ids = np.array([[3, 7, 2, 0, 0], [5, 9, 0, 0, 0]], dtype=np.int64)
    out = model(nt.tensor(ids)).numpy()
    assert out.shape == (2, 3)
    longer = np.concatenate([ids, np.zeros((2, 4), np.int64)], axis=1)
    assert_close(model(nt.tensor(longer)).numpy(), out, rtol=1e-5)
    changed = ids.copy()
    changed[0, 1] = 11                            # another review in the batch does not change row 1
    other = model(nt.tensor(changed)).numpy()
    assert_close(other[1], out[1], rtol=1e-6)
    assert not np.allclose(other[0], out[0])


def test_classifier_attention_weights():
    model = _classifier()
    ids = np.array([[3, 7, 2, 0], [5, 0, 0, 0]], dtype=np.int64)
    maps = model.attention_weights(ids)
    assert len(maps) == 2 and maps[0].shape == (2, 2, 5, 5)
    assert_close(maps[0].sum(axis=-1), np.ones((2, 2, 5)), rtol=1e-5)
    assert np.all(maps[1][0, :, :, 4] == 0) and np.all(maps[1][1, :, :, 2:] == 0)   # padding gets no attention
    assert model.training is False


def test_classifier_rejects_bad_input():
    model = _classifier()
    with pytest.raises(ValueError, match="TransformerClassifier.*max_len=12"):
        model(nt.tensor(np.ones((1, 13), np.int64)))
    with pytest.raises(ValueError, match="TransformerClassifier.*dtype float32"):
        model(nt.tensor(np.ones((1, 3), np.float32)))
    with pytest.raises(ValueError, match="pooling"):
        TransformerClassifier(10, 2, pooling="max")


def _token_5_reviews(rng, n):
    ids = rng.integers(3, 20, size=(n, 8))
    ids[rng.random((n, 8)) < 0.2] = 0
    return ids, (ids == 5).any(axis=1).astype(np.int64)          # does token 5 occur anywhere?


def test_classifier_learns_and_saves(tmp_path):
    nt.manual_seed(0)
    rng = np.random.default_rng(0)
    ids, y = _token_5_reviews(rng, 256)
    held_ids, held_y = _token_5_reviews(rng, 500)                 # never trained on
    model = TransformerClassifier(20, 2, d_model=16, nhead=2, num_layers=1, dim_feedforward=32, max_len=8,
                                  dropout=0.0)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=1e-2)
    model.fit(ids, y, epochs=15, batch_size=32, verbose=0)
    # held-out accuracy measured 1.0 with seeds 0-3; the majority class is ~0.67 of the held-out rows
    majority = max(held_y.mean(), 1 - held_y.mean())
    assert majority < 0.75
    assert model.evaluate(held_ids, held_y)["accuracy"] >= 0.95
    model.save(tmp_path / "clf.safetensors")
    again = nt.load_model(tmp_path / "clf.safetensors")
    assert isinstance(again, TransformerClassifier)
    assert_close(again.predict(ids[:10]), model.predict(ids[:10]), rtol=1e-6)


def _gpt(tie=True, max_len=8):
    nt.manual_seed(0)
    return GPTLanguageModel(12, d_model=8, nhead=2, num_layers=2, dim_feedforward=16, max_len=max_len, dropout=0.0,
                            tie_weights=tie)


@pytest.mark.parametrize("tie", [True, False])
def test_gpt_is_causal(tie):
    model = _gpt(tie).eval()
    ids = np.array([[1, 4, 6, 2, 9]], dtype=np.int64)
    out = model(nt.tensor(ids)).numpy()
    assert out.shape == (1, 5, 12)
    later = ids.copy()
    later[0, 3:] = [7, 7]
    changed = model(nt.tensor(later)).numpy()
    assert_close(changed[:, :3], out[:, :3], rtol=1e-6)
    assert not np.allclose(changed[:, 3], out[:, 3])
    names = {n for n, _ in model.named_parameters()}
    assert ("head.weight" in names) is (not tie)


def test_gpt_generate():
    model = _gpt()
    a = model.generate([1, 2], max_new_tokens=10, greedy=True)
    assert a.shape == (12,) and list(a[:2]) == [1, 2]
    assert np.array_equal(a, model.generate([1, 2], max_new_tokens=10, greedy=True))
    nt.manual_seed(3)
    s1 = model.generate(np.array([[1, 2], [3, 4]]), max_new_tokens=6, temperature=2.0)
    nt.manual_seed(3)
    s2 = model.generate(np.array([[1, 2], [3, 4]]), max_new_tokens=6, temperature=2.0)
    assert s1.shape == (2, 8) and np.array_equal(s1, s2)
    stop = int(a[2])                                     # the first greedy token: stop right after it
    assert list(model.generate([1, 2], 10, greedy=True, stop_id=stop)) == [1, 2, stop]
    assert model.generate(list(range(8)), 3, greedy=True).shape == (11,)   # context cropped to max_len
    assert model.training is True
    with pytest.raises(ValueError, match="GPTLanguageModel.generate"):
        model.generate([1, 12], 3)


def test_gpt_learns_a_cycle_and_saves(tmp_path):
    model = _gpt(max_len=12)
    seq = np.tile(np.arange(1, 7), 10)                  # 1 2 3 4 5 6 1 2 ...
    x = np.stack([seq[i:i + 12] for i in range(30)])
    y = np.stack([seq[i + 1:i + 13] for i in range(30)])
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=1e-2)
    model.fit(x, y, epochs=30, batch_size=10, verbose=0)
    out = model.generate([3, 4], max_new_tokens=10, greedy=True)
    assert list(out) == [3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2]
    model.save(tmp_path / "gpt.safetensors")
    again = nt.load_model(tmp_path / "gpt.safetensors")
    assert list(again.generate([3, 4], max_new_tokens=10, greedy=True)) == list(out)


def test_seq2seq_masks_and_shapes():
    nt.manual_seed(0)
    model = Seq2SeqTransformer(10, 9, d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                               dim_feedforward=16, max_len=8, dropout=0.0).eval()
    src = np.array([[3, 4, 5, 0, 0], [6, 7, 0, 0, 0]], dtype=np.int64)
    tgt = np.array([[1, 4, 5, 6], [1, 3, 0, 0]], dtype=np.int64)
    out = model((nt.tensor(src), nt.tensor(tgt))).numpy()
    assert out.shape == (2, 4, 9)
    wider = np.concatenate([src, np.zeros((2, 2), np.int64)], axis=1)       # more source padding
    assert_close(model(nt.tensor(wider), nt.tensor(tgt)).numpy(), out, rtol=1e-5)
    later = tgt.copy()
    later[0, 2:] = [8, 8]                                                   # causal: earlier steps unchanged
    changed = model(nt.tensor(src), nt.tensor(later)).numpy()
    assert_close(changed[0, :2], out[0, :2], rtol=1e-6)
    assert not np.allclose(changed[0, 2:], out[0, 2:])
    with pytest.raises(ValueError, match="Seq2SeqTransformer"):
        model(nt.tensor(src))


def test_seq2seq_learns_to_reverse():
    nt.manual_seed(0)
    rng = np.random.default_rng(0)
    START, STOP = 1, 2
    src = rng.integers(3, 9, size=(300, 5))
    tgt = src[:, ::-1]
    tgt_in = np.concatenate([np.full((300, 1), START), tgt], axis=1)
    tgt_out = np.concatenate([tgt, np.full((300, 1), STOP)], axis=1)
    model = Seq2SeqTransformer(9, 9, d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
                               dim_feedforward=64, max_len=8, dropout=0.0)
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=3e-3)
    model.fit((src, tgt_in), tgt_out, epochs=60, batch_size=30, verbose=0)
    seen = {tuple(row) for row in src}
    held = np.array([row for row in rng.integers(3, 9, size=(110, 5)) if tuple(row) not in seen])[:100]
    assert len(held) == 100                                    # sequences the model never saw (6^5 possible)
    # measured on the held-out sequences: 1.0 greedy and beam 3 with seeds 0-2
    pred = model.translate(held, max_len=8, start_id=START, stop_id=STOP)
    assert np.mean([p == list(t) for p, t in zip(pred, held[:, ::-1])]) >= 0.95
    beams = model.translate(held[:20], max_len=8, start_id=START, stop_id=STOP, beam_width=3)
    assert np.mean([p == list(t) for p, t in zip(beams, held[:20, ::-1])]) >= 0.95
