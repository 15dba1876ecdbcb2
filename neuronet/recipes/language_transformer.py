"""Language-model recipe ``shakespeare-transformer``: a GPT-style character model on Shakespeare.

Same text, same splits and same vocabulary as ``shakespeare-lstm`` (:mod:`.language`: last 5% of
the characters test, the 5% before validation, pieces between blank lines wrapped
``<start> … <stop>``, vocabulary from the training part only), so the losses compare directly.

Training reads random windows of the training stream: inputs ``ids[t:t+T]``, targets
``ids[t+1:t+T+1]`` with context ``T = GPT_CONTEXT``; an "epoch" is a fixed number of random windows
(``GPT_WINDOWS_PER_EPOCH``), not a pass over the text.  The learning rate warms up linearly and then
decays on a cosine, step by step (:class:`neuronet.train.callbacks.WarmupCosineSteps`).

How the figures differ from the LSTM's.  The LSTM reads each stream in 64 lanes with carried
states, so almost every character is predicted with the whole preceding lane as context.  A
Transformer sees only its window, and the first positions of a window see almost nothing; the
per-epoch ``val_loss`` and the runner's test loss score every position of non-overlapping
windows and are therefore pessimistic.  The report's ``*_nats_per_char`` figures slide the window
by ``T/2`` and score only the second half of each window (the first window entirely), so every
character is scored exactly once with at least ``T/2`` characters of context — the closest
like-for-like figure to the LSTM's carried-state loss (which still sees longer contexts).
"""
from __future__ import annotations

import math
import os

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..models.char_lm import START_ID, sequence_cross_entropy
from ..models.transformer import GPTLanguageModel
from ..tensor import Tensor
from ..train.callbacks import WarmupCosineSteps
from .language import LM_TEST_FRACTION, LM_VALIDATION_FRACTION, _cached_splits, decode_ids
from .registry import Recipe, register

__all__ = ["RandomWindowLoader", "window_arrays", "sliding_window_loss",
           "transformer_lm_data", "transformer_lm_report", "GPT_CONTEXT", "GPT_BATCH",
           "GPT_WINDOWS_PER_EPOCH", "GPT_EPOCHS"]

GPT_CONTEXT = 128              # characters a prediction can look back on (the model's max_len)
GPT_BATCH = 32                 # windows per gradient step
GPT_WINDOWS_PER_EPOCH = 26_000  # random windows per epoch (3.3 M predicted characters)
GPT_EPOCHS = 3
GPT_WARMUP_STEPS = 200


def _check_stream(where, ids, context):
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"{where}: expected a 1-D stream of integer token ids, received shape {ids.shape}, "
                         f"dtype {ids.dtype}")
    if isinstance(context, bool) or not isinstance(context, (int, np.integer)) or context < 1:
        raise ValueError(f"{where}: context must be a positive integer, received {context!r}")
    if ids.size < context + 1:
        raise ValueError(f"{where}: a stream of {ids.size} tokens is too short for one window of context "
                         f"{context} (needs {context + 1} tokens)")
    return ids.astype(np.int64, copy=False)


class RandomWindowLoader:
    """Batches of random windows of one token stream: ``x = ids[t:t+T]``, ``y = ids[t+1:t+T+1]``.

    Each pass draws ``windows`` fresh start positions uniformly (with the generator seeded by
    ``nt.manual_seed``), so an "epoch" is a fixed amount of training rather than a pass over the text.

    Args:
        ids: 1-D integer token ids.
        context: window length T.
        batch_size: windows per batch.
        windows: windows per pass (the last batch may be smaller).

    Example::

        loader = RandomWindowLoader(ids, context=128, batch_size=32, windows=32_000)
        model.fit(loader, epochs=3)
    """

    def __init__(self, ids, context: int, batch_size: int, windows: int):
        self.ids = _check_stream("RandomWindowLoader", ids, context)
        for name, value in (("batch_size", batch_size), ("windows", windows)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"RandomWindowLoader: {name} must be a positive integer, received {value!r}")
        self.context, self.batch_size, self.windows = int(context), int(batch_size), int(windows)

    def __len__(self) -> int:
        return math.ceil(self.windows / self.batch_size)

    def __iter__(self):
        starts = backend.get_rng().integers(0, self.ids.size - self.context, size=self.windows)
        offsets = np.arange(self.context)[None, :]
        for b in range(0, self.windows, self.batch_size):
            index = starts[b:b + self.batch_size, None] + offsets
            yield self.ids[index], self.ids[index + 1]

    def __repr__(self) -> str:
        return (f"RandomWindowLoader({self.ids.size} tokens, context={self.context}, "
                f"batch_size={self.batch_size}, windows={self.windows})")


def window_arrays(ids, context: int):
    """Consecutive non-overlapping windows ``(x, y)`` of shape (n, context), y = x shifted by one
    token; the tail that does not fill a window is dropped."""
    ids = _check_stream("window_arrays", ids, context)
    n = (ids.size - 1) // context
    return ids[:n * context].reshape(n, context), ids[1:n * context + 1].reshape(n, context)


def _sliding_windows(n_targets: int, context: int, stride: int):
    """Window starts and, per window, the first position scored, so that every target is scored once."""
    starts = list(range(0, n_targets - context + 1, stride))
    if starts[-1] + context < n_targets:
        starts.append(n_targets - context)
    starts = np.asarray(starts, dtype=np.int64)
    previous_end = np.concatenate([[0], starts[:-1] + context])
    return starts, previous_end - starts  # scored: positions >= first_scored (0 for the first window)


def sliding_window_loss(model, ids, context: int | None = None, stride: int | None = None,
                        batch_size: int = 64) -> float:
    """Mean loss in nats per token of a whole stream, every token scored once with long context.

    Windows of ``context`` tokens start every ``stride`` tokens (default ``context // 2``); a window
    scores only the targets the previous window did not (its last ``stride``), the first window all
    of them, so each target after the first window sees at least ``context − stride`` tokens.
    """
    context = getattr(model, "max_len", None) if context is None else context
    ids = _check_stream("sliding_window_loss", ids, context)
    stride = context // 2 if stride is None else stride
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or not 1 <= stride <= context:
        raise ValueError(f"sliding_window_loss: stride must be an integer in [1, {context}], received {stride!r}")
    starts, first_scored = _sliding_windows(ids.size - 1, context, stride)
    offsets = np.arange(context)
    total, count = 0.0, 0
    was = model.training
    model.eval()
    try:
        with no_grad():
            for b in range(0, starts.size, batch_size):
                index = starts[b:b + batch_size, None] + offsets[None, :]
                logits = backend.to_numpy(model(Tensor(ids[index])).data).astype(np.float64)
                logits -= logits.max(axis=-1, keepdims=True)
                log_z = np.log(np.exp(logits).sum(axis=-1))
                target = np.take_along_axis(logits, ids[index + 1][..., None], axis=-1)[..., 0]
                scored = offsets[None, :] >= first_scored[b:b + batch_size, None]
                total += float(((log_z - target) * scored).sum())
                count += int(scored.sum())
    finally:
        model.train(was)
    return total / count


def transformer_lm_data(splits: dict | None = None, context: int = GPT_CONTEXT, batch_size: int = GPT_BATCH,
                        windows_per_epoch: int = GPT_WINDOWS_PER_EPOCH) -> dict:
    """The recipe data: a :class:`RandomWindowLoader` of the training stream as ``x_train``
    (``y_train`` None), non-overlapping test windows as ``x_test``/``y_test``, non-overlapping
    validation windows (``"validation"``, a pair for ``fit``), the id streams and the vocabulary."""
    splits = _cached_splits() if splits is None else splits
    x_test, y_test = window_arrays(splits["test"], context)
    return {"x_train": RandomWindowLoader(splits["train"], context, batch_size, windows_per_epoch), "y_train": None,
            "x_test": x_test, "y_test": y_test, "class_names": None,
            "validation": window_arrays(splits["validation"], context),
            "validation_ids": splits["validation"], "test_ids": splits["test"],
            "vocabulary": splits["vocabulary"], "context": context,
            "validation_fraction": LM_VALIDATION_FRACTION, "test_fraction": LM_TEST_FRACTION}


def transformer_lm_report(model, data: dict, out_dir: str, length: int = 500, temperature: float = 0.8) -> dict:
    """Validation and test loss (nats/char, sliding windows scoring the second half, and every
    position of non-overlapping windows) and a sample written to ``sample.txt``."""
    context = data["context"]
    val = sliding_window_loss(model, data["validation_ids"], context)
    test = sliding_window_loss(model, data["test_ids"], context)
    val_windows = model.evaluate(*data["validation"], batch_size=64)["loss"]
    test_windows = model.evaluate(data["x_test"], data["y_test"], batch_size=64)["loss"]
    ids = model.generate([START_ID], max_new_tokens=length, temperature=temperature)
    sample = decode_ids(ids, data["vocabulary"])
    path = os.path.join(out_dir, "sample.txt")
    with open(path, "w") as f:
        f.write(sample)
    return {"validation_nats_per_char": round(val, 4), "test_nats_per_char": round(test, 4),
            "validation_nats_per_char_windows": round(float(val_windows), 4),
            "test_nats_per_char_windows": round(float(test_windows), 4),
            "sample_path": path, "sample_start": sample[:300]}


class _ValidationWindows:
    """The validation stream of the cached splits as non-overlapping windows, cut on first iteration."""

    def __iter__(self):
        x, y = window_arrays(_cached_splits()["validation"], GPT_CONTEXT)
        for b in range(0, x.shape[0], 64):
            yield x[b:b + 64], y[b:b + 64]


def _model():
    vocabulary = _cached_splits()["vocabulary"]
    return GPTLanguageModel(len(vocabulary), d_model=128, nhead=4, num_layers=3, dim_feedforward=512,
                            max_len=GPT_CONTEXT, dropout=0.0, tie_weights=True)


def _callbacks(epochs, lr):
    steps = epochs * math.ceil(GPT_WINDOWS_PER_EPOCH / GPT_BATCH)
    return [WarmupCosineSteps(lr, GPT_WARMUP_STEPS, steps, min_lr=lr / 20)]


register(Recipe(
    name="shakespeare-transformer",
    description=f"GPT-style character language model on Shakespeare (same splits and vocabulary as "
                f"shakespeare-lstm): token + learned position embeddings, 3 pre-norm causal layers (d_model 128, "
                f"4 heads, FFN 512), tied output; random windows of {GPT_CONTEXT} characters, batch {GPT_BATCH}, "
                f"{GPT_WINDOWS_PER_EPOCH} windows per epoch; Adam, warm-up {GPT_WARMUP_STEPS} steps then cosine",
    data=transformer_lm_data, model=_model, loss=sequence_cross_entropy, metrics=[],
    optimizer="adam", lr=3e-3, epochs=GPT_EPOCHS, batch_size=GPT_BATCH, validation_split=0.0,
    target="report beside shakespeare-lstm (1.51 nats/char validation)",
    callbacks=_callbacks, fit_options={"validation_data": _ValidationWindows()}, eval_batch_size=64,
    report=transformer_lm_report,
    kind="characters", dataset="shakespeare",
    train_time="1,726 s (load; ~11 min unloaded)",
    reported="1.54 nats/char validation, 1.47 test"))
