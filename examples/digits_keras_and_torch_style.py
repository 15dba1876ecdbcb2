"""One network, two ways to train it: Keras-style ``fit`` and a PyTorch-style loop, on the 8x8 digits.

Run: python examples/digits_keras_and_torch_style.py
"""

import neuronet as nt
import neuronet.functional as F


def make_model():
    return nt.Sequential([nt.nn.Dense(64, activation="relu"), nt.nn.Dropout(0.1), nt.nn.Dense(10)])


def main(epochs: int = 30, seed: int = 0):
    nt.manual_seed(seed)
    x, y = nt.data.load_digits()
    x_train, x_test, y_train, y_test = nt.data.train_test_split(x, y, test_size=0.2, stratify=y, seed=seed)

    # 1. Keras style: compile, fit with callbacks, evaluate
    keras_model = make_model()
    keras_model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=1e-3)
    keras_model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=0,
                    callbacks=[nt.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)])
    keras_acc = keras_model.evaluate(x_test, y_test)["accuracy"]

    # 2. PyTorch style: the same kind of model, a hand-written loop
    torch_style = make_model()
    torch_style(nt.tensor(x_train[:2]))                    # build the lazy layers
    opt = nt.optim.Adam(torch_style.parameters(), lr=1e-3)
    loader = nt.data.DataLoader((x_train, y_train), batch_size=32, shuffle=True)
    for _ in range(epochs):
        torch_style.train()
        for xb, yb in loader:
            loss = F.cross_entropy(torch_style(nt.tensor(xb)), nt.tensor(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
    torch_style.eval()
    with nt.no_grad():
        pred = torch_style(nt.tensor(x_test)).numpy().argmax(axis=1)
    loop_acc = float((pred == y_test).mean())
    return keras_acc, loop_acc


if __name__ == "__main__":
    keras_acc, loop_acc = main()
    print(f"digits test accuracy: Keras-style fit {keras_acc:.3f}, PyTorch-style loop {loop_acc:.3f}")
