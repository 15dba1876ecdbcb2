"""Many-to-many labelling: tag every month of the sunspot record as "solar cycle rising" or "falling".

The label of month t is whether the 13-month smoothed sunspot number (the standard centred
smoothing, half weights at both ends) goes up from t to t+1: the phase of the ~11-year cycle.
The network reads the monthly numbers one month at a time and must emit a label at every step.
The same sunspot number occurs on the way up and on the way down, so the current month alone says
little; what tells the phase apart is the recent history — exactly what a recurrent state keeps.

Compared on the last 20% of the record (time order, never trained on):
  * majority: always the more frequent training label (cycles rise faster than they fall);
  * per-step: Dense(32, tanh) -> Dense(2) applied to each month on its own (no recurrence);
  * LSTM(32, return_sequences=True) -> Dense(2) at each step.

The test months are labelled by running the network over the whole record once (the preceding
months are only input history; their labels are never shown).  Labels of the last 7 training
months would need test-period values for their smoothing, so they are left out of training.

Run: python examples/sequence_labelling.py          (about a minute on 2 CPU cores)
"""
import numpy as np

import neuronet as nt
from neuronet.models import sequence_cross_entropy

SMOOTHING = np.r_[0.5, np.ones(11), 0.5] / 12.0     # the 13-month smoothed sunspot number


def cycle_phase_labels(series):
    """(labels, valid): 1 where the 13-month smoothed series rises from t to t+1; valid marks the
    months where both smoothed values exist (6 months in from the start, 7 from the end)."""
    smooth = np.convolve(series, SMOOTHING, mode="valid")            # smooth[j] is centred on month j+6
    rising = (smooth[1:] > smooth[:-1]).astype(np.int64)             # for months 6 .. n-8
    labels = np.zeros(series.size, dtype=np.int64)
    valid = np.zeros(series.size, dtype=bool)
    labels[6:6 + rising.size], valid[6:6 + rising.size] = rising, True
    return labels, valid


def training_windows(x, labels, valid, end, window, stride):
    """Overlapping (window) slices of the training months [0, end) whose labels are all valid."""
    starts = [s for s in range(0, end - window + 1, stride) if valid[s:s + window].all()]
    xs = np.stack([x[s:s + window] for s in starts])[:, :, None]
    ys = np.stack([labels[s:s + window] for s in starts])
    return xs.astype(np.float32), ys


def train_tagger(model, xs, ys, epochs, lr):
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=lr)
    model.fit(xs, ys, epochs=epochs, batch_size=32, verbose=0)
    return model


def accuracy_on(model, x, labels, mask) -> float:
    """Label the whole record in one pass (N = 1) and score the months in ``mask``.

    The model is called directly: ``predict`` insists on the training windows' length."""
    model.eval()
    with nt.no_grad():
        pred = model(nt.tensor(x[None, :, None].astype(np.float32))).numpy()[0].argmax(axis=-1)
    return float((pred[mask] == labels[mask]).mean())


def main(epochs: int = 40, window: int = 144, stride: int = 6, units: int = 32, lr: float = 3e-3,
         test_fraction: float = 0.2, seed: int = 0) -> dict:
    """Train both taggers and return test accuracies ``{"majority", "per_step", "lstm"}``."""
    nt.manual_seed(seed)
    series, months = nt.data.load_sunspots(monthly=True)
    labels, valid = cycle_phase_labels(series)
    cut = int(round(series.size * (1 - test_fraction)))
    train_valid = valid.copy()
    train_valid[cut - 7:] = False                     # their smoothing reads test-period months
    mean, std = series[:cut].mean(), series[:cut].std()
    x = (series - mean) / std
    xs, ys = training_windows(x, labels, train_valid, cut, window, stride)
    test_mask = valid.copy()
    test_mask[:cut] = False
    majority = int(labels[train_valid].mean() >= 0.5)
    results = {"majority": float((labels[test_mask] == majority).mean())}
    per_step = nt.Sequential([nt.nn.Dense(units, activation="tanh"), nt.nn.Dense(2)])
    results["per_step"] = accuracy_on(train_tagger(per_step, xs, ys, epochs, lr), x, labels, test_mask)
    lstm = nt.Sequential([nt.nn.LSTM(units, return_sequences=True), nt.nn.Dense(2)])
    results["lstm"] = accuracy_on(train_tagger(lstm, xs, ys, epochs, lr), x, labels, test_mask)
    print(f"sunspots {months[0]}..{months[-1]}; {xs.shape[0]} training windows of {window} months; "
          f"test {months[cut]}..{months[-8]} ({int(test_mask.sum())} months, {labels[test_mask].mean():.0%} rising)")
    for name, acc in results.items():
        print(f"  {name:9s} test accuracy {acc:.3f}")
    return results


if __name__ == "__main__":
    main()
