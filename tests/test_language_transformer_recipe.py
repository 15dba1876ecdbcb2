"""The shakespeare-transformer recipe: random windows shifted by one, sliding-window scoring,
per-step warm-up/cosine, a short learning run and the report hook."""
import math
import os

import numpy as np
import pytest

import neuronet as nt
from neuronet.models import GPTLanguageModel, sequence_cross_entropy
from neuronet.nn.module import Module
from neuronet.recipes import get_recipe
from neuronet.recipes import language_transformer as lt
from neuronet.tensor import Tensor
from tests.data.conftest import ensure_dataset, small_splits  # noqa: F401  (fixtures: the data, fetched when missing)


def test_recipe_is_registered_with_a_gpt_and_a_per_step_schedule():
    recipe = get_recipe("shakespeare-transformer")
    assert recipe.loss is sequence_cross_entropy and recipe.validation_split == 0.0
    assert recipe.report is lt.transformer_lm_report and recipe.epochs == lt.GPT_EPOCHS
    (schedule,) = recipe.callbacks(2, 1e-3)
    assert isinstance(schedule, nt.callbacks.WarmupCosineSteps)
    assert schedule.total_steps == 2 * math.ceil(lt.GPT_WINDOWS_PER_EPOCH / lt.GPT_BATCH)


def test_random_windows_shift_by_one_and_are_seeded():
    ids = np.arange(1000, dtype=np.int64)
    loader = lt.RandomWindowLoader(ids, context=16, batch_size=8, windows=20)
    nt.manual_seed(3)
    batches = list(loader)
    assert len(batches) == len(loader) == 3 and [b[0].shape for b in batches] == [(8, 16), (8, 16), (4, 16)]
    for x, y in batches:
        assert x.dtype == np.int64 and (y == x + 1).all() and (np.diff(x, axis=1) == 1).all()
        assert x.min() >= 0 and y.max() <= 999
    nt.manual_seed(3)
    assert all((a[0] == b[0]).all() for a, b in zip(batches, loader))
    assert not all((a[0] == b[0]).all() for a, b in zip(batches, loader))   # fresh windows each pass
    with pytest.raises(ValueError, match="RandomWindowLoader.*too short"):
        lt.RandomWindowLoader(ids[:10], context=16, batch_size=8, windows=20)
    with pytest.raises(ValueError, match="RandomWindowLoader: windows"):
        lt.RandomWindowLoader(ids, context=16, batch_size=8, windows=0)


def test_window_arrays_are_consecutive_and_shifted_by_one():
    x, y = lt.window_arrays(np.arange(50), 8)
    assert x.shape == y.shape == (6, 8) and (x.reshape(-1) == np.arange(48)).all() and (y == x + 1).all()


@pytest.mark.parametrize("n_targets, context, stride", [(100, 16, 8), (101, 16, 8), (64, 16, 5), (16, 16, 8)])
def test_sliding_windows_score_every_target_once_with_long_context(n_targets, context, stride):
    starts, first = lt._sliding_windows(n_targets, context, stride)
    positions = np.arange(context)
    scored_targets = np.concatenate([s + positions[positions >= f] for s, f in zip(starts, first)])
    assert (np.sort(scored_targets) == np.arange(n_targets)).all()
    assert starts[0] == 0 and starts[-1] + context == n_targets   # windows stay inside the stream
    assert first[0] == 0 and (first[1:] >= context - stride).all()   # later windows: >= context-stride seen


class _BigramTable(Module):
    """Logits that depend only on the current token, so any windowing must give the same loss."""

    def __init__(self, table, max_len):
        super().__init__()
        self.table, self.max_len = table, max_len

    def forward(self, ids):
        return Tensor(self.table[ids.data])


def test_sliding_window_loss_matches_the_exact_stream_loss():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(7, 7)).astype(np.float32)
    ids = rng.integers(0, 7, size=300)
    log_p = table - np.log(np.exp(table).sum(axis=1, keepdims=True))
    exact = -log_p[ids[:-1], ids[1:]].mean()
    model = _BigramTable(table, max_len=32)
    for stride in (16, 7, 32):
        assert abs(lt.sliding_window_loss(model, ids, stride=stride, batch_size=5) - exact) < 1e-6
    with pytest.raises(ValueError, match="sliding_window_loss: stride"):
        lt.sliding_window_loss(model, ids, stride=40)


def test_warmup_cosine_steps_sets_the_rate_before_every_batch():
    nt.manual_seed(0)
    model = GPTLanguageModel(10, d_model=8, nhead=2, num_layers=1, dim_feedforward=16, max_len=8, dropout=0.0)
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=1.0)
    seen = []
    record = nt.train.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: seen.append(model.optimizer.param_groups[0]["lr"]))
    schedule = nt.callbacks.WarmupCosineSteps(0.1, warmup_steps=2, total_steps=6, min_lr=0.01)
    ids = np.arange(200) % 10
    model.fit(lt.RandomWindowLoader(ids, 8, 4, 12), epochs=2, verbose=0, callbacks=[schedule, record])
    cosine = [0.01 + 0.09 * (1 + math.cos(math.pi * k / 4)) / 2 for k in range(4)]   # t = 2 ... 5
    assert np.allclose(seen, [0.05, 0.1] + cosine) and len(seen) == 6
    with pytest.raises(ValueError, match="WarmupCosineSteps"):
        nt.callbacks.WarmupCosineSteps(0.1, warmup_steps=6, total_steps=6)


def test_data_uses_the_lstm_splits_and_the_training_vocabulary(small_splits):
    data = lt.transformer_lm_data(small_splits, context=32, batch_size=4, windows_per_epoch=10)
    assert data["vocabulary"] is small_splits["vocabulary"] and data["y_train"] is None
    assert (data["x_test"].reshape(-1) == small_splits["test"][:data["x_test"].size]).all()
    assert (data["y_test"][:, :-1] == data["x_test"][:, 1:]).all()
    assert (data["validation"][0].reshape(-1) == small_splits["validation"][:data["validation"][0].size]).all()
    text = nt.data.load_shakespeare()[:120_000]
    assert set(data["vocabulary"].tokens[4:]) == set(text[:int(len(text) * 0.9)])   # training part only


def test_short_training_learns_and_reports(small_splits, tmp_path):
    nt.manual_seed(0)
    data = lt.transformer_lm_data(small_splits, context=32, batch_size=32, windows_per_epoch=32 * 120)
    vocab = data["vocabulary"]
    model = GPTLanguageModel(len(vocab), d_model=48, nhead=4, num_layers=1, dim_feedforward=96, max_len=32,
                             dropout=0.0)
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=1e-2)
    before = lt.sliding_window_loss(model, data["validation_ids"], 32)
    history = model.fit(data["x_train"], epochs=2, verbose=0, validation_data=data["validation"],
                        callbacks=[nt.callbacks.WarmupCosineSteps(1e-2, 10, 240, 1e-3)])
    report = lt.transformer_lm_report(model, data, str(tmp_path), length=120)
    counts = np.bincount(small_splits["train"], minlength=len(vocab))
    p = counts[counts > 0] / counts.sum()
    unigram = float(-(p * np.log(p)).sum())          # 3.4 nats/char
    assert before > 4.0 and "val_loss" in history.history
    assert report["validation_nats_per_char"] < 2.5 < unigram - 0.8   # measured 2.25; unigram 3.36
    assert report["test_nats_per_char"] < 2.6                  # measured 2.29
    assert report["validation_nats_per_char"] <= report["validation_nats_per_char_windows"] + 0.02
    sample = open(report["sample_path"]).read()
    assert os.path.basename(report["sample_path"]) == "sample.txt" and sample.startswith(report["sample_start"])
    assert 80 <= len(sample) <= 240 and " " in sample
