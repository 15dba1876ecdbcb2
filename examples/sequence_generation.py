"""One-to-many generation: from a single input, a number, write its Roman numeral character by character.

The number (1 … 3999) enters once, as its four decimal digits one-hot encoded (4 × 10 inputs);
two Dense layers turn it into the decoder LSTM's initial state (h_0, c_0).  The decoder then
writes the numeral: it reads ``<start>`` and, at every later step, the character it wrote last,
and stops by writing ``<stop>``.  Training feeds the true previous character (teacher forcing);
generation feeds back its own greedy choice, carrying the LSTM state one character at a time.

20% of the numbers are held out: the network never sees them or their numerals, so an exact
match there means it learned the digit-by-digit rule (M…, CM/D/CD/C…, XC/L/XL/X…, IX/V/IV/I…),
not a table.

Run: python examples/sequence_generation.py          (about a minute on 2 CPU cores)
"""
import numpy as np

import neuronet as nt
from neuronet.models import sample_logits

ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
         (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
CHARS = ["<pad>", "<start>", "<stop>", "I", "V", "X", "L", "C", "D", "M"]
PAD, START, STOP = 0, 1, 2
MAX_LEN = 16                      # MMMDCCCLXXXVIII (3888) has 15 characters, + <stop>


def to_roman(n: int) -> str:
    """The standard Roman numeral of 1 ≤ n ≤ 3999."""
    if not 1 <= n <= 3999:
        raise ValueError(f"to_roman: n must lie in [1, 3999], received {n}")
    out = []
    for value, symbol in ROMAN:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


def encode_numbers(numbers):
    """(N, 40) one-hot thousands, hundreds, tens and units digits."""
    numbers = np.asarray(numbers)
    digits = np.stack([numbers // 1000, numbers // 100 % 10, numbers // 10 % 10, numbers % 10], axis=1)
    return np.eye(10, dtype=np.float32)[digits].reshape(len(numbers), 40)


def encode_numerals(numbers):
    """Decoder inputs ``<start> c_1 … c_k`` and targets ``c_1 … c_k <stop>``, padded to MAX_LEN."""
    inputs = np.full((len(numbers), MAX_LEN), PAD, dtype=np.int64)
    targets = np.full((len(numbers), MAX_LEN), PAD, dtype=np.int64)
    for row, n in enumerate(numbers):
        ids = [CHARS.index(c) for c in to_roman(int(n))]
        inputs[row, :len(ids) + 1] = [START] + ids
        targets[row, :len(ids) + 1] = ids + [STOP]
    return inputs, targets


@nt.nn.register_module
class NumeralWriter(nt.Model):
    """number digits (N, 40) -> (h_0, c_0) -> LSTM over the previous characters -> next-character logits."""

    def __init__(self, units: int = 64, embedding_dim: int = 16):
        super().__init__()
        self.to_h = nt.nn.Dense(units, activation="tanh")
        self.to_c = nt.nn.Dense(units)
        self.embedding = nt.nn.Embedding(len(CHARS), embedding_dim)
        self.lstm = nt.nn.LSTM(units, return_sequences=True, return_state=True)
        self.head = nt.nn.Dense(len(CHARS))

    def step(self, digits_or_state, previous):
        """Logits for the characters after ``previous`` (N, T) from a number or a carried (h, c)."""
        state = digits_or_state if isinstance(digits_or_state, list) else \
            [self.to_h(digits_or_state), self.to_c(digits_or_state)]
        seq, h, c = self.lstm(self.embedding(previous), initial_state=state)
        return self.head(seq), [h, c]

    def forward(self, digits, previous):
        return self.step(digits, previous)[0]

    def write(self, numbers) -> list:
        """Greedy numerals for ``numbers``, one character per step with the state carried."""
        self.eval()
        n = len(numbers)
        state, previous = nt.tensor(encode_numbers(numbers)), np.full((n, 1), START, dtype=np.int64)
        out = np.zeros((n, MAX_LEN), dtype=np.int64)
        with nt.no_grad():
            for t in range(MAX_LEN):
                logits, state = self.step(state, nt.tensor(previous))
                previous = sample_logits(logits.numpy()[:, -1], greedy=True)[:, None]
                out[:, t] = previous[:, 0]
        texts = []
        for row in out:
            stop = np.flatnonzero(row == STOP)
            texts.append("".join(CHARS[i] for i in row[:stop[0] if stop.size else MAX_LEN] if i > STOP))
        return texts


def padded_loss(logits, targets):
    """Cross-entropy over the real characters only (<pad> targets weigh nothing)."""
    mask = (targets.numpy() != PAD).astype(np.float32)
    per_step = nt.functional.sparse_categorical_crossentropy(logits, targets, True, reduction="none")
    return (per_step * nt.tensor(mask)).sum() * (1.0 / mask.sum())


def main(epochs: int = 60, units: int = 64, lr: float = 5e-3, highest: int = 3999, test_fraction: float = 0.2,
         seed: int = 0) -> dict:
    """Train on 80% of 1 … ``highest`` and return exact-match and character accuracy on the rest."""
    nt.manual_seed(seed)
    numbers = np.random.default_rng(seed).permutation(np.arange(1, highest + 1))
    cut = int(len(numbers) * (1 - test_fraction))
    train, test = numbers[:cut], numbers[cut:]
    inputs, targets = encode_numerals(train)
    model = NumeralWriter(units)
    model.compile(optimizer="adam", loss=padded_loss, learning_rate=lr)
    model.fit((encode_numbers(train), inputs), targets, epochs=epochs, batch_size=64, verbose=0)
    written = model.write(test)
    truth = [to_roman(int(n)) for n in test]
    exact = float(np.mean([w == t for w, t in zip(written, truth)]))
    chars = float(np.mean([sum(a == b for a, b in zip(w, t)) / max(len(w), len(t)) for w, t in zip(written, truth)]))
    print(f"{len(train)} numbers trained, {len(test)} held out: exact match {exact:.3f}, characters {chars:.3f}")
    for n, w in list(zip(test, written))[:8]:
        print(f"  {int(n):5d} -> {w:16s} ({'ok' if w == to_roman(int(n)) else 'should be ' + to_roman(int(n))})")
    return {"exact_match": exact, "char_accuracy": chars, "examples": dict(zip(map(int, test[:8]), written[:8]))}


if __name__ == "__main__":
    main()
