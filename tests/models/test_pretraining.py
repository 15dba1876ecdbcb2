"""The masked language model, the pre-training loss, and handing the encoder to a classifier."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data.collators import CausalLMCollator, CollatedLoader, MaskedLMCollator, SpanCorruptionCollator
from neuronet.models import GPTLanguageModel, Seq2SeqTransformer, TransformerClassifier
from neuronet.models.pretraining import MaskedLanguageModel, lm_cross_entropy, transfer_encoder

SMALL = dict(d_model=16, nhead=2, num_layers=2, dim_feedforward=32, dropout=0.0)


def test_lm_cross_entropy_matches_torch_with_ignored_positions(torch):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 5, 11)).astype(np.float32)
    labels = rng.integers(0, 11, (3, 5))
    labels[rng.random((3, 5)) < 0.5] = -100
    x = nt.tensor(logits, requires_grad=True)
    loss = lm_cross_entropy(x, labels)
    loss.backward()
    tx = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(tx.reshape(-1, 11), torch.tensor(labels).reshape(-1), ignore_index=-100)
    ref.backward()
    np.testing.assert_allclose(float(loss.data), ref.item(), rtol=1e-5)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), atol=1e-6)
    # logits at the labelled positions only, with the full labels or just the K labels: the same loss
    keep = labels != -100
    compact = nt.tensor(logits[keep])
    assert np.isclose(float(lm_cross_entropy(compact, labels).data), ref.item(), rtol=1e-5)
    assert np.isclose(float(lm_cross_entropy(compact, labels[keep]).data), ref.item(), rtol=1e-5)
    with pytest.raises(ValueError, match=r"lm_cross_entropy: expected logits \(batch, time, vocab\)"):
        lm_cross_entropy(x, labels[:, :3])


def test_masked_lm_logits_at_chosen_positions_equal_the_full_ones():
    model = MaskedLanguageModel(30, max_len=10, **SMALL)
    model.eval()
    ids = np.random.default_rng(0).integers(1, 30, (4, 10))
    ids[2, 6:] = 0
    full = model(ids).data
    assert full.shape == (4, 10, 30)
    chosen = np.random.default_rng(1).random((4, 10)) < 0.3
    np.testing.assert_allclose(model((ids, chosen)).data, full[chosen], atol=1e-5)
    with pytest.raises(ValueError, match="positions must be a boolean mask"):
        model((ids, chosen[:, :5]))
    with pytest.raises(ValueError, match="at most max_len=10"):
        model(np.ones((1, 11), dtype=np.int64))


def test_transfer_gives_the_classifier_the_pretrained_encoder():
    mlm = MaskedLanguageModel(30, max_len=10, **SMALL)
    clf = TransformerClassifier(30, 2, max_len=10, pooling="mean", **SMALL)
    names = transfer_encoder(mlm, clf)
    assert names and all(not n.startswith(("mlm_", "head")) for n in names)
    mlm.eval()
    clf.eval()
    ids = np.random.default_rng(0).integers(1, 30, (3, 10))
    ids[0, 4:] = 0
    x, pad = clf._embed(ids)
    np.testing.assert_allclose(clf.encoder(x, src_key_padding_mask=pad).data, mlm.encode(ids).data, atol=1e-6)
    with pytest.raises(ValueError, match="pooling='mean'"):
        transfer_encoder(mlm, TransformerClassifier(30, 2, max_len=10, pooling="cls", **SMALL))
    with pytest.raises(ValueError, match="same number of layers"):
        transfer_encoder(mlm, TransformerClassifier(30, 2, max_len=10, pooling="mean", **{**SMALL, "num_layers": 1}))


def _counting_rows(n, length=12, vocab=24, low=4, rng=None):
    """Rows of consecutive ids (cyclic over low..vocab-1): every token follows from its neighbours."""
    rng = rng or np.random.default_rng(0)
    start = rng.integers(0, vocab - low, n)
    return low + (start[:, None] + np.arange(length)[None, :]) % (vocab - low)


def test_masked_lm_learns_to_fill_in_a_counting_language():
    """Learning test: masked tokens of counting sequences are predictable from their neighbours.
    Chance is 1/20; measured after 150 steps (seeds 0-2): 0.97-1.0."""
    nt.manual_seed(0)
    rows = _counting_rows(2000)
    collator = MaskedLMCollator(24, 3, special_ids=range(4), random_low=4, compact=True)
    model = MaskedLanguageModel(24, d_model=32, nhead=2, num_layers=1, dim_feedforward=64, max_len=12, dropout=0.0)
    model.compile(optimizer="adam", loss=lm_cross_entropy, learning_rate=3e-3)
    model.fit(CollatedLoader(rows, collator, batch_size=32, batches=50), epochs=3, verbose=0)
    model.eval()
    (x, chosen), y = MaskedLMCollator(24, 3, special_ids=range(4), random_low=4, compact=True,
                                      rng=np.random.default_rng(9))(_counting_rows(500, rng=np.random.default_rng(5)))
    accuracy = (model((x, chosen)).data.argmax(axis=1) == y[chosen]).mean()
    assert accuracy > 0.8


def test_causal_and_span_objectives_train_the_decoder_models():
    """One step of each objective reduces its loss on the same batch (the wiring is right)."""
    nt.manual_seed(0)
    rows = _counting_rows(32)
    for model, collator in ((GPTLanguageModel(24, max_len=12, **SMALL), CausalLMCollator()),
                            (Seq2SeqTransformer(140, 140, d_model=16, nhead=2, num_encoder_layers=1,
                                                num_decoder_layers=1, dim_feedforward=32, max_len=16, dropout=0.0),
                             SpanCorruptionCollator(np.arange(100, 140), eos_id=2, start_id=1))):
        model.compile(optimizer="adam", loss=lm_cross_entropy, learning_rate=1e-2)
        batch = next(iter(CollatedLoader(rows, collator, batch_size=32, shuffle=False)))
        before = model.evaluate(*batch, batch_size=32)["loss"]
        model.fit(*batch, epochs=5, batch_size=32, verbose=0, shuffle=False)
        assert model.evaluate(*batch, batch_size=32)["loss"] < before - 0.3


def test_lm_cross_entropy_of_a_batch_without_labels_is_zero():
    x = nt.tensor(np.ones((2, 3, 5), dtype=np.float32), requires_grad=True)
    loss = lm_cross_entropy(x, np.full((2, 3), -100))
    loss.backward()
    assert float(loss.data) == 0.0 and not x.grad.any()
