"""The classic networks' experiments: logic units, perceptron and ADALINE on Iris, Oja vs eigen-decomposition,
a SOM of the digits, RBF network and ELM on the digits, an echo-state network forecasting monthly sunspots.

These models learn by their own rules (not compile/fit), so each recipe is one ``run(out, seed)`` that
returns its figures and writes its pictures into ``out``.
"""
from __future__ import annotations

import json
import os
import time

from ..backend import np
from ..data.datasets import IRIS_FEATURES, load_iris, load_sunspots
from ..models.classic import (SOM, Adaline, ELMClassifier, EchoStateNetwork, Oja, Perceptron, RBFClassifier,
                              LOGIC_GATES, TRUTH_TABLES, logic_gate, search_single_unit, truth_table, xor_network)
from .datasets import dataset_splits
from .registry import Recipe, register

__all__ = ["logic_units", "perceptron_iris", "oja_iris", "som_digits", "rbf_elm_digits", "esn_sunspots",
           "sunspot_series", "ESN_GRID"]


def _plot(fn, *args, **kwargs):
    """Write a picture when matplotlib is there; say so when it is not."""
    try:
        return fn(*args, **kwargs)
    except ImportError as error:
        return f"skipped ({error})"


def logic_units(out: str | None = None, seed: int = 0) -> dict:
    """MP gates against their truth tables; the grid search that finds no single unit for XOR; the 2-layer XOR."""
    gates = {name: bool((logic_gate(name)(truth_table(len(w))) == np.array(TRUTH_TABLES[name])).all())
             for name, (w, _) in LOGIC_GATES.items()}
    solutions, tried = search_single_unit("XOR")
    return {"gates_correct": gates, "xor_single_unit_solutions": int(len(solutions)), "grid_points_tried": int(tried),
            "and_single_unit_solutions": int(len(search_single_unit("AND")[0])),
            "xor_two_layer_output": xor_network()(truth_table(2)).tolist()}


def _standardised_iris():
    x, y = load_iris()
    x = x.astype(np.float64)
    return (x - x.mean(axis=0)) / x.std(axis=0), y


def perceptron_iris(out: str | None = None, seed: int = 0) -> dict:
    """Perceptron on Iris sepal length/width: setosa vs versicolor (separable: mistakes reach 0), versicolor vs virginica
    (the overlapping pair, 70 training samples: plain vs averaged), all three classes one-vs-rest; ADALINE (online and batch) on the same."""
    x, y = _standardised_iris()
    two = y < 2
    sepals, setosa = x[two][:, :2], (y[two] == 0).astype(int)
    sep = Perceptron(epochs=50).fit(sepals, setosa)
    mask = y > 0
    xs, ys = x[mask], y[mask]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(xs))
    tr, te = order[:70], order[70:]
    plain = Perceptron(epochs=30, shuffle=True, seed=seed).fit(xs[tr], ys[tr])
    averaged = Perceptron(epochs=30, shuffle=True, averaged=True, seed=seed).fit(xs[tr], ys[tr])
    multi = Perceptron(epochs=30, shuffle=True, averaged=True, seed=seed).fit(x, y)
    t = np.where(ys[tr] == 2, 1.0, -1.0)
    ada_online = Adaline(lr=0.01, epochs=30, mode="online").fit(xs[tr], t)
    ada_batch = Adaline(lr=0.1, epochs=200, mode="batch").fit(xs[tr], t)
    results = {
        "separable_mistakes_per_epoch": sep.history["mistakes"], "separable_converged_epoch": sep.converged_epoch,
        "versicolor_virginica_test_accuracy_plain": float(np.mean(plain.predict(xs[te]) == ys[te])),
        "versicolor_virginica_test_accuracy_averaged": float(np.mean(averaged.predict(xs[te]) == ys[te])),
        "versicolor_virginica_mistakes_last_epochs": plain.history["mistakes"][-5:],
        "three_class_ovr_train_accuracy_averaged": multi.score(x, y),
        "adaline_online_test_accuracy": float(np.mean(ada_online.predict(xs[te]) == np.where(ys[te] == 2, 1, -1))),
        "adaline_batch_test_accuracy": float(np.mean(ada_batch.predict(xs[te]) == np.where(ys[te] == 2, 1, -1))),
        "adaline_batch_final_mse": ada_batch.history["mse"][-1],
    }
    if out:
        from ..viz import save_decision_boundaries
        results["boundary_plot"] = _plot(save_decision_boundaries, sep.history["weights"], sepals, setosa,
                                         os.path.join(out, "perceptron_boundaries.png"),
                                         feature_names=(IRIS_FEATURES[0] + " (std.)", IRIS_FEATURES[1] + " (std.)"),
                                         title="perceptron, setosa (1) vs versicolor (0): boundary after each epoch")
    return results


def oja_iris(out: str | None = None, seed: int = 0) -> dict:
    """Oja's rule (1 unit) and Sanger's rule (2 units) on standardised Iris, against the covariance's eigenvectors."""
    x, _ = _standardised_iris()
    values, vectors = np.linalg.eigh(np.cov(x.T, bias=True))
    top = vectors[:, ::-1]
    one = Oja(1, lr=0.005, epochs=40, seed=seed).fit(x)
    two = Oja(2, lr=0.005, epochs=40, seed=seed).fit(x)
    batch = Oja(2, lr=0.2, epochs=300, mode="batch", seed=seed).fit(x)

    def cosines(w):
        return [round(float(abs(w[i] @ top[:, i]) / np.linalg.norm(w[i])), 6) for i in range(len(w))]

    return {"eigenvalues": np.round(values[::-1], 4).tolist(), "oja_cosine_pc1": cosines(one.components_),
            "oja_norm": round(float(np.linalg.norm(one.components_[0])), 4),
            "sanger_online_cosines_pc1_pc2": cosines(two.components_),
            "sanger_batch_cosines_pc1_pc2": cosines(batch.components_)}


def som_digits(out: str | None = None, seed: int = 0, rows: int = 12, cols: int = 12, epochs: int = 20) -> dict:
    """A 12×12 hexagonal SOM of the 8×8 digits (batch map, Gaussian neighbourhood, σ 6 → 0.5 exponential)."""
    d = dataset_splits("digits")
    x = np.concatenate([d["x_train"], d["x_test"]]).astype(np.float64)
    y = np.concatenate([d["y_train"], d["y_test"]])
    t0 = time.perf_counter()
    som = SOM(rows, cols, topology="hexagonal", sigma=6.0, decay="exponential", sigma_end=0.5, seed=seed).fit(x, epochs=epochs)
    seconds = time.perf_counter() - t0
    labels = som.label_map(x, y)
    purity = float(np.mean(labels.reshape(-1)[som.winner(x)] == y))
    results = {"quantization_error": round(som.quantization_error(x), 4),
               "topographic_error": round(som.topographic_error(x), 4),
               "label_purity": round(purity, 4), "train_seconds": round(seconds, 2)}
    if out:
        from ..viz import save_som_maps
        results["maps"] = _plot(save_som_maps, som, x, os.path.join(out, "som_digits.png"), y=y,
                                feature_names=[f"pixel ({i // 8},{i % 8})" for i in range(64)],
                                title="SOM of the 8×8 digits")
    return results


def rbf_elm_digits(out: str | None = None, seed: int = 0) -> dict:
    """RBF network (k-means centres, nearest-centre widths, ridge read-out; then joint gradient fine-tuning)
    and an ELM on the digits (the recipes' stratified 80/20 split)."""
    d = dataset_splits("digits")
    xtr, xte = d["x_train"].astype(np.float64), d["x_test"].astype(np.float64)
    results = {}
    t0 = time.perf_counter()
    rbf = RBFClassifier(200, ridge=1e-3, seed=seed).fit(xtr, d["y_train"])
    results["rbf_closed_form_test_accuracy"] = round(rbf.score(xte, d["y_test"]), 4)
    results["rbf_closed_form_seconds"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    tuned = RBFClassifier(200, ridge=1e-3, gradient_epochs=20, lr=3e-3, seed=seed).fit(xtr, d["y_train"])
    results["rbf_gradient_tuned_test_accuracy"] = round(tuned.score(xte, d["y_test"]), 4)
    results["rbf_gradient_train_mse"] = [round(tuned.history["mse"][0], 4), round(tuned.history["mse"][-1], 4)]
    results["rbf_gradient_seconds"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    elm = ELMClassifier(1000, ridge=1e-2, seed=seed).fit(xtr, d["y_train"])
    results["elm_test_accuracy"] = round(elm.score(xte, d["y_test"]), 4)
    results["elm_seconds"] = round(time.perf_counter() - t0, 2)
    return results


def sunspot_series(test_fraction: float = 0.2):
    """Monthly sunspots standardised with the training part's statistics (as the ``sunspots-lstm`` recipe):
    ``(scaled series, cut, mean, std)``; the test targets are ``scaled[cut:]``, the same months as the LSTM's."""
    series, _ = load_sunspots(monthly=True)
    series = np.asarray(series, dtype=np.float64)
    cut = int(round(series.size * (1 - test_fraction)))
    mean, std = float(series[:cut].mean()), float(series[:cut].std())
    return (series - mean) / std, cut, mean, std


#: The hyper-parameters tried for the ESN; the best on the last 20 % of the training months is kept.
ESN_GRID = [{"leak_rate": a, "input_scaling": s, "ridge": r} for a in (0.3, 1.0) for s in (0.1, 0.5) for r in (1e-2, 1.0)]


def esn_sunspots(out: str | None = None, seed: int = 0, units: int = 300, grid=None) -> dict:
    """ESN one-step forecast of monthly sunspots: hyper-parameters chosen on a validation part of the training
    months, then refitted on all of them; test RMSE in sunspot numbers on the months the LSTM recipe tests."""
    s, cut, mean, std = sunspot_series()
    val_cut = int(round(cut * 0.8))
    best = None
    for params in (ESN_GRID if grid is None else grid):
        esn = EchoStateNetwork(units, spectral_radius=0.9, washout=100, include_input=True, seed=seed, **params)
        esn.fit(s[:val_cut - 1], s[1:val_cut])
        pred = esn.predict(s[:cut - 1])[val_cut - 1:]
        rmse = float(np.sqrt(np.mean((pred - s[val_cut:cut]) ** 2)))
        if best is None or rmse < best[0]:
            best = (rmse, params)
    t0 = time.perf_counter()
    esn = EchoStateNetwork(units, spectral_radius=0.9, washout=100, include_input=True, seed=seed, **best[1])
    esn.fit(s[:cut - 1], s[1:cut])
    fit_seconds = time.perf_counter() - t0
    pred = esn.predict(s[:-1])[cut - 1:]
    truth = s[cut:]
    results = {"chosen": best[1], "validation_rmse_sunspots": round(best[0] * std, 2),
               "test_rmse_sunspots": round(float(np.sqrt(np.mean((pred - truth) ** 2))) * std, 2),
               "persistence_rmse_sunspots": round(float(np.sqrt(np.mean((s[cut - 1:-1] - truth) ** 2))) * std, 2),
               "fit_seconds": round(fit_seconds, 2), "test_months": int(truth.size)}
    if out:
        from ..viz import save_prediction_vs_truth
        results["plot"] = _plot(save_prediction_vs_truth, truth * std + mean, {"ESN one step ahead": pred * std + mean},
                                os.path.join(out, "esn_sunspots.png"), start=cut, ylabel="sunspot number",
                                xlabel="month index since 1749", title="monthly sunspots, test part: ESN vs truth")
    return results


def _own_rule(name, description, target, rule):
    """The recipe's ``run``: apply ``rule(out, seed)`` (a network that learns by its own rule), print its
    results and write them to ``report.json``."""
    def run(out=None, epochs=None, lr=None, seed: int = 0, print_fn=print, **_):
        if epochs is not None or lr is not None:
            print_fn(f"note: {name} sets its own training schedule; --epochs/--lr ignored")
        out = out or os.path.join("runs", name)
        os.makedirs(out, exist_ok=True)
        print_fn(f"recipe {name}: {description}")
        t0 = time.perf_counter()
        results = rule(out, seed)
        report = {"recipe": name, "seed": seed, "target": target, "results": results,
                  "total_seconds": round(time.perf_counter() - t0, 2)}
        with open(os.path.join(out, "report.json"), "w") as f:
            json.dump(report, f, indent=2, default=float)
        for key, value in results.items():
            print_fn(f"{key}: {value}")
        print_fn(f"the whole run took {report['total_seconds']:.1f}s; report written to {out}/")
        return report
    return run


def _register(name, description, rule, target, train_time, reported):
    register(Recipe(name=name, description=description, data=dict, model=lambda: None,
                    run=_own_rule(name, description, target, rule), target=target, epochs=1, batch_size=1,
                    kind="experiment", train_time=train_time, reported=reported))


_register("logic-units", "McCulloch–Pitts units: NOT/AND/OR/NAND/NOR with the courses' weights and thresholds; "
          "a grid search (w, θ in −3..3 step 0.5) shows no single unit computes XOR; a two-layer MP net does",
          logic_units, "every gate correct; 0 XOR solutions; XOR net outputs 0 1 1 0", "< 1 s",
          "5/5 gates; 0 of 2,197 grid points give XOR")
_register("perceptron-iris", "Rosenblatt perceptron on Iris (setosa vs versicolor on sepal length/width; versicolor vs "
          "virginica plain and averaged; 3 classes one-vs-rest) and ADALINE online/batch", perceptron_iris,
          "0 mistakes on setosa vs versicolor within 20 epochs", "< 1 s",
          "separated in epoch 7; ADALINE 96.7 %")
_register("oja-iris", "Oja's rule (1 unit) and Sanger's rule (2 units), online and batch, on standardised Iris "
          "against the covariance's eigenvectors", oja_iris, "|cos| with PC1 > 0.999", "< 1 s",
          "|cos| 0.99983 (Oja)")
_register("som-digits", "12×12 hexagonal SOM of the 8×8 digits, batch map, Gaussian neighbourhood σ 6 → 0.5, 20 "
          "epochs: quantisation/topographic error, U-matrix, hit map, component planes", som_digits,
          "majority-label purity > 0.85", "1.1 s", "purity 96.4 %, TE 0.051")
_register("rbf-elm-digits", "RBF network (200 k-means centres, nearest-centre widths, ridge read-out, then 20 "
          "epochs of joint Adam fine-tuning) and an ELM (1000 tanh units) on the 8×8 digits, stratified 80/20",
          rbf_elm_digits, ">= 95% test accuracy", "1 s",
          "RBF 99.44 %, ELM 98.61 %")
_register("esn-sunspots", "echo-state network (300 units, ρ 0.9, leak/input scaling/ridge chosen on a validation "
          "part) forecasting the next month of sunspots; the LSTM recipe's test months", esn_sunspots,
          "test RMSE below the persistence forecast's", "2 s",
          "RMSE 18.05 sunspots (persistence 19.47)")
