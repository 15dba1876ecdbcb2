"""Forecast next month's sunspot number with an LSTM, evaluated by expanding-window time-series folds.

Each fold trains on the months before its test block only, standardises with that training part's
mean and standard deviation, and compares the LSTM's RMSE (in sunspot numbers) with persistence,
the forecast "next month = this month" that any model of this series has to beat.

Run: python examples/sunspots_forecast.py           (about 1-2 minutes on 2 CPU cores)
"""
import numpy as np

import neuronet as nt
from neuronet.recipes.sequence import SUNSPOT_WINDOW


def fold_rmse(series, train_idx, test_idx, epochs, window=SUNSPOT_WINDOW):
    """Train on series[train_idx], forecast every month of test_idx; returns (lstm_rmse, persistence_rmse)."""
    train = series[train_idx]
    mean, std = train.mean(), train.std()
    scaled = ((series - mean) / std).astype(np.float32)
    x_train, y_train = nt.data.make_windows(scaled[train_idx], window)
    x_test, y_test = nt.data.make_windows(scaled[test_idx[0] - window:test_idx[-1] + 1], window)
    model = nt.Sequential([nt.nn.LSTM(32), nt.nn.Dense(1)])
    model.compile(optimizer="adam", loss="mse", learning_rate=1e-3)
    model.fit(x_train, y_train[:, None], epochs=epochs, batch_size=32, verbose=0)
    pred = model.predict(x_test, batch_size=1000)[:, 0]
    rmse = float(np.sqrt(np.mean((pred - y_test) ** 2))) * std
    persistence = float(np.sqrt(np.mean((x_test[:, -1, 0] - y_test) ** 2))) * std
    return rmse, persistence


def main(n_splits: int = 4, epochs: int = 20, seed: int = 0):
    nt.manual_seed(seed)
    series, months = nt.data.load_sunspots()
    print(f"monthly sunspots {months[0]} .. {months[-1]}: {series.size} months")
    results = []
    for k, (train_idx, test_idx) in enumerate(nt.data.TimeSeriesSplit(n_splits=n_splits).split(series)):
        if train_idx.size <= SUNSPOT_WINDOW:
            continue
        rmse, persistence = fold_rmse(series, train_idx, test_idx, epochs)
        results.append((rmse, persistence))
        print(f"fold {k}: train to {months[train_idx[-1]]}, test {months[test_idx[0]]}..{months[test_idx[-1]]}: "
              f"LSTM RMSE {rmse:6.2f}   persistence RMSE {persistence:6.2f}")
    lstm, persistence = np.mean(results, axis=0)
    print(f"mean over folds: LSTM RMSE {lstm:.2f}, persistence RMSE {persistence:.2f}")


if __name__ == "__main__":
    main()
