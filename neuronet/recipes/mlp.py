"""Multi-layer perceptron recipes: XOR, Iris, 8×8 digits, Fashion-MNIST."""
from __future__ import annotations

from ..nn import Dense
from ..train import Sequential
from .datasets import dataset_splits
from .registry import Recipe, register


def mlp(*hidden, outputs: int, activation: str = "relu") -> Sequential:
    """Dense layers of the given widths with ``activation``, then a linear output layer (logits)."""
    return Sequential([*(Dense(h, activation=activation) for h in hidden), Dense(outputs)])


register(Recipe(
    name="xor", description="2-4-2 tanh MLP learns XOR (the problem a single neuron cannot solve)",
    data=lambda: dataset_splits("xor"), model=lambda: mlp(4, outputs=2, activation="tanh"),
    optimizer="adam", lr=0.05, epochs=300, batch_size=4, validation_split=0.0, target="100% accuracy",
    dataset="xor", train_time="< 1 s", reported="100 % accuracy"))

register(Recipe(
    name="iris", description="4-16-3 ReLU MLP on Fisher's Iris (stratified 80/20 split)",
    data=lambda: dataset_splits("iris"), model=lambda: mlp(16, outputs=3),
    optimizer="adam", lr=0.01, epochs=150, batch_size=16, validation_split=0.0, target=">= 96% test accuracy",
    dataset="iris", train_time="< 1 s", reported=">= 96 % test accuracy (asserted in the tests)"))

register(Recipe(
    name="digits-mlp", description="64-128-64-10 ReLU MLP on the 8x8 digits (stratified 80/20 split)",
    data=lambda: dataset_splits("digits"), model=lambda: mlp(128, 64, outputs=10),
    optimizer="adam", lr=1e-3, epochs=40, batch_size=32, validation_split=0.1, target=">= 97% test accuracy",
    dataset="digits", train_time="1.1 s", reported="98.6 % test accuracy"))

register(Recipe(
    name="fashion-mlp",
    description="the course's 3-layer MLP 784-64-32-10 (ReLU, ReLU, softmax in the loss) on Fashion-MNIST, "
                "SGD with momentum 0.9, lr 0.01, batch 64, 12 epochs",
    data=lambda: dataset_splits("fashion-mnist"), model=lambda: mlp(64, 32, outputs=10),
    optimizer="momentum", lr=0.01, epochs=12, batch_size=64, validation_split=0.1,
    target=">= 87% test accuracy in <= 3 minutes on 2 cores",
    dataset="fashion-mnist", train_time="3.5 s", reported="87.1 % test accuracy"))
