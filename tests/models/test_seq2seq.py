"""Seq2Seq: shapes, the padded loss, step/forward agreement, learning a reversal task, save/load,
attention weights, errors."""
import itertools

import numpy as np
import pytest

import neuronet as nt
from neuronet.models.seq2seq import Seq2Seq, SequenceCrossEntropy
from tests.helpers import assert_close, check_parity

PAD, START, STOP = 0, 2, 3
VARIANTS = [(att, cell, bi) for att in (None, "luong", "luong-general", "bahdanau")
            for cell, bi in (("lstm", False), ("gru", True))]


def reversal_data(symbols=(4, 5, 6, 7), lengths=(2, 3, 4)):
    """Every sequence over ``symbols`` of the given lengths -> the same sequence reversed."""
    seqs = [list(s) for n in lengths for s in itertools.product(symbols, repeat=n)]
    n, s, t = len(seqs), max(lengths), max(lengths) + 1
    src, tgt_in, tgt_out = (np.zeros((n, d), dtype=np.int64) for d in (s, t, t))
    for i, seq in enumerate(seqs):
        rev = seq[::-1]
        src[i, :len(seq)] = seq
        tgt_in[i, :len(seq) + 1] = [START, *rev]
        tgt_out[i, :len(seq) + 1] = [*rev, STOP]
    return seqs, src, tgt_in, tgt_out


def small(attention, cell="lstm", bidirectional=False, **kw):
    return Seq2Seq(9, 8, embedding_dim=8, units=12, cell=cell, attention=attention, bidirectional=bidirectional, **kw)


@pytest.mark.parametrize("attention,cell,bidirectional", VARIANTS)
def test_logits_shape_and_translate_output(attention, cell, bidirectional):
    _, src, tgt_in, _ = reversal_data(lengths=(2, 3))
    model = small(attention, cell, bidirectional)
    logits = model((nt.tensor(src[:5]), nt.tensor(tgt_in[:5])))
    assert logits.shape == (5, 4, 8) and logits.dtype == np.float32
    assert_close(model(src[:5], tgt_in[:5]).numpy(), logits.numpy())   # two arguments or one pair
    out = model.translate(src[:5], max_len=6, beam_width=2)
    assert len(out) == 5 and all(len(o) <= 6 and STOP not in o and START not in o for o in out)


@pytest.mark.parametrize("attention,cell,bidirectional", VARIANTS)
def test_decoding_steps_agree_with_teacher_forcing(attention, cell, bidirectional):
    """Greedy translation fed back as the teacher-forced input reproduces its own arg-max tokens."""
    _, src, _, _ = reversal_data(lengths=(2, 3, 4))
    model = small(attention, cell, bidirectional)
    src = src[::7][:12]
    out = model.translate(src, max_len=5)
    for i, tokens in enumerate(out):
        tgt_in = np.array([[START, *tokens]])
        logits = model.predict((src[i:i + 1], tgt_in))[0]
        logits[:, [PAD, START]] = -np.inf    # decoding never emits these
        want = tokens + ([STOP] if len(tokens) < 5 else [])
        assert logits.argmax(axis=-1).tolist()[:len(want)] == want


def test_padding_of_the_source_does_not_change_the_result():
    model = small("bahdanau")
    _, src, tgt_in, _ = reversal_data(lengths=(2,))
    wide = np.concatenate([src, np.zeros((src.shape[0], 3), dtype=np.int64)], axis=1)
    assert_close(model.predict((wide, tgt_in)), model.predict((src, tgt_in)))


def test_sequence_cross_entropy_ignores_padding_like_torch(torch):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 6)).astype(np.float32)
    target = rng.integers(1, 6, size=(3, 5))
    target[0, 3:] = 0
    target[2, 1:] = 0
    check_parity(lambda z, t: SequenceCrossEntropy(0)(z, t),
                 lambda z, t: torch.nn.functional.cross_entropy(z.transpose(1, 2), t, ignore_index=0),
                 logits, target, requires_grad=[True, False])
    z = nt.tensor(logits, requires_grad=True)
    SequenceCrossEntropy(0)(z, target).backward()
    assert (z.grad[target == 0] == 0).all() and (z.grad[target != 0] != 0).any()
    with pytest.raises(ValueError, match=r"SequenceCrossEntropy: expected logits \(batch, time, vocab\)"):
        SequenceCrossEntropy(0)(z, target[:, :4])


@pytest.mark.parametrize("attention", ["luong", "bahdanau"])
def test_learns_to_reverse_sequences_exactly(attention):
    seqs, src, tgt_in, tgt_out = reversal_data()
    nt.manual_seed(1)
    model = Seq2Seq(9, 8, embedding_dim=16, units=32, attention=attention)
    model.compile(optimizer="adam", learning_rate=1e-2)
    model.fit((src, tgt_in), tgt_out, epochs=25, batch_size=32, verbose=0)
    out = model.translate(src, max_len=6)
    exact = np.mean([o == s[::-1] for o, s in zip(out, seqs)])
    assert exact == 1.0, f"{attention}: exact match {exact:.3f} after teacher-forced training"
    beam = model.translate(src[:40], max_len=6, beam_width=3)
    assert beam == [s[::-1] for s in seqs[:40]]


def test_attention_weights_are_distributions_over_real_source_positions():
    _, src, tgt_in, _ = reversal_data(lengths=(2, 4))
    for attention in ("luong", "luong-general", "bahdanau"):
        model = small(attention)
        rows = src[[0, 1, -1]]
        out = model.translate(rows, max_len=5)
        w = model.attention_weights(rows, out)
        assert w.shape == (3, max(map(len, out)) + 1, 4)
        lengths = (rows != PAD).sum(axis=1)
        for i, n in enumerate(lengths):
            real = w[i, :len(out[i]) + 1]
            assert_close(real[:, :n].sum(axis=1), np.ones(len(out[i]) + 1))
            assert (real[:, n:] == 0).all() and (real >= 0).all()


def test_save_and_load_round_trip(tmp_path):
    _, src, tgt_in, tgt_out = reversal_data(lengths=(2, 3))
    model = small("bahdanau", "gru", True)
    model.compile(learning_rate=1e-2)
    model.fit((src, tgt_in), tgt_out, epochs=1, batch_size=32, verbose=0)
    model.save(tmp_path / "s2s.safetensors")
    loaded = nt.load_model(tmp_path / "s2s.safetensors")
    assert isinstance(loaded, Seq2Seq) and loaded.attention_kind == "bahdanau" and loaded.cell == "gru"
    assert_close(loaded.predict((src, tgt_in)), model.predict((src, tgt_in)))
    assert loaded.translate(src, max_len=5, beam_width=2) == model.translate(src, max_len=5, beam_width=2)


def test_clear_errors():
    with pytest.raises(ValueError, match="Seq2Seq: cell must be 'lstm' or 'gru'"):
        Seq2Seq(9, 8, cell="rnn")
    with pytest.raises(ValueError, match="Seq2Seq: attention must be one of"):
        Seq2Seq(9, 8, attention="dot")
    with pytest.raises(ValueError, match=r"Seq2Seq: stop_id must be an id in \[0, 8\)"):
        Seq2Seq(9, 8, stop_id=8)
    with pytest.raises(ValueError, match="Seq2Seq: units must be a positive integer"):
        Seq2Seq(9, 8, units=0)
    model = small("luong")
    src = np.array([[4, 5, 0]])
    with pytest.raises(ValueError, match=r"Seq2Seq: src and tgt_in must have the same batch size"):
        model(src, np.array([[2, 4], [2, 5]]))
    with pytest.raises(ValueError, match=r"Seq2Seq: tgt_in must be integer ids of shape \(batch, time\)"):
        model(src, np.array([2.0, 4.0]))
    with pytest.raises(ValueError, match=r"Seq2Seq: source ids must lie in \[0, 9\)"):
        model(np.array([[4, 12]]), np.array([[2, 4]]))
    with pytest.raises(ValueError, match="Seq2Seq: forward needs"):
        model(src)
    with pytest.raises(ValueError, match="Seq2Seq.attention_weights: this model has no attention"):
        small(None).attention_weights(src, [[4]])
    with pytest.raises(ValueError, match="Seq2Seq.translate: src_ids must be integer ids"):
        model.translate(np.array([4, 5]))
