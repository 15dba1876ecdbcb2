# title: evaluating a model honestly — hold-out, k-fold and time-series cross-validation, confusion matrix, ROC
# %% [markdown]
# # Evaluation
#
# A model is judged on data it never trained on. Three ways to get such data:
# - **hold-out**: set aside part of the data once (train / validation / test);
# - **k-fold cross-validation**: split into $k$ parts, train $k$ times, each time testing on a different
#   part — every example is tested once, and the spread of the $k$ scores shows how much one split's
#   luck matters;
# - **time-series cross-validation**: for data in time order the test part must come *after* the
#   training part (no training on the future).

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt

nt.manual_seed(0)
x, y = nt.data.load_iris()
print(x.shape, np.bincount(y), nt.data.IRIS_CLASSES)

# %% [markdown]
# ## Hold-out
# 20 % of Iris held out, stratified (same class proportions in both parts). Standardisation is fitted on
# the training part only — fitting it on everything would leak the test set's statistics.

# %%
(x_tr, y_tr), (x_te, y_te) = nt.data.holdout(x, y, val_size=0.2, stratify=True, seed=0)
scaler = nt.data.StandardScaler().fit(x_tr)

def make_model():
    model = nt.Sequential([nt.nn.Dense(16, activation="relu"), nt.nn.Dense(3)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.02)
    return model

model = make_model()
model.fit(scaler.transform(x_tr), y_tr, epochs=60, batch_size=16, verbose=0)
print("hold-out accuracy on 30 flowers:", model.evaluate(scaler.transform(x_te), y_te)["accuracy"])

# %% [markdown]
# ## k-fold cross-validation
# Five folds, each class equally represented in every fold (`StratifiedKFold`). The scaler is fitted
# inside each fold, on that fold's training part only, for the same reason as above.

# %%
scores = []
for train, test in nt.data.StratifiedKFold(5, shuffle=True, seed=0).split(x, y):
    s = nt.data.StandardScaler().fit(x[train])
    m = make_model()
    m.fit(s.transform(x[train]), y[train], epochs=60, batch_size=16, verbose=0)
    scores.append(m.evaluate(s.transform(x[test]), y[test])["accuracy"])
print("5-fold accuracies:", np.round(scores, 3), f"mean {np.mean(scores):.3f} ± {np.std(scores):.3f}")

# %% [markdown]
# The one-call version, `nt.data.cross_validate(model_fn, x, y, cv=5)`, does the same loop (here on data
# standardised once, which is fine for a demonstration but leaks a little):

# %%
result = nt.data.cross_validate(make_model, nt.data.StandardScaler().fit(x).transform(x), y, cv=5,
                                fit_kwargs={"epochs": 60, "batch_size": 16, "verbose": 0}, seed=0)
print(result["metric"], np.round(result["scores"], 3), f"mean {result['mean']:.3f} ± {result['std']:.3f}")

# %% [markdown]
# ## Confusion matrix, precision, recall, F1
# The errors of the hold-out model by class: setosa is always right; versicolor and virginica overlap.

# %%
pred = model.predict(scaler.transform(x_te))
nt.viz.plot_confusion_matrix(y_te, pred, class_names=nt.data.IRIS_CLASSES)

# %%
nt.viz.plot_classification_report(y_te, pred, class_names=nt.data.IRIS_CLASSES)

# %% [markdown]
# For a binary task, the ROC curve (true- against false-positive rate over all thresholds, with its area
# AUC) and the precision–recall curve. Virginica against the rest, scored by the model's softmax:

# %%
prob = np.exp(pred - pred.max(1, keepdims=True))
prob /= prob.sum(1, keepdims=True)
nt.viz.plot_roc_pr((y_te == 2).astype(int), prob[:, 2], title="virginica vs the rest, 30 held-out flowers")

# %% [markdown]
# ## Time-series cross-validation
# Yearly sunspot numbers 1700–2008. Each sample: 10 years in, the next year out. `TimeSeriesSplit`
# trains on an expanding past and tests on the years right after it:

# %%
counts, years = nt.data.load_sunspots(monthly=False)
series = (counts / counts.max()).astype(np.float32)
xs, ys = nt.data.make_windows(series, window=10)
xs = xs[..., 0]                                          # (N, 10) for a dense model
splitter = nt.data.TimeSeriesSplit(n_splits=4, test_size=40)
fig, ax = plt.subplots(figsize=(8, 2))
for i, (train, test) in enumerate(splitter.split(xs)):
    ax.plot(years[10 + train], np.full(len(train), i), "b-", lw=6)
    ax.plot(years[10 + test], np.full(len(test), i), "r-", lw=6)
ax.set_yticks(range(4), [f"fold {i + 1}" for i in range(4)])
ax.set_title("TimeSeriesSplit: train (blue), test (red)")
plt.show()

# %% [markdown]
# A small MLP forecaster against the persistence baseline ("next year = this year") on each fold,
# mean absolute error in sunspots:

# %%
for i, (train, test) in enumerate(splitter.split(xs)):
    nt.manual_seed(0)
    m = nt.Sequential([nt.nn.Dense(32, activation="tanh"), nt.nn.Dense(1)])
    m.compile(optimizer="adam", loss="mse", learning_rate=1e-2)
    m.fit(xs[train], ys[train, None], epochs=60, batch_size=32, verbose=0)
    mae = np.abs(m.predict(xs[test])[:, 0] - ys[test]).mean() * counts.max()
    persistence = np.abs(xs[test, -1] - ys[test]).mean() * counts.max()
    print(f"fold {i + 1}: test years {years[10 + test[0]]}-{years[10 + test[-1]]}  "
          f"MLP MAE {mae:5.1f}   persistence MAE {persistence:5.1f}")
