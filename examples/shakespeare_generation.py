"""Write Shakespeare-like text with a character LSTM, at several sampling temperatures.

Either loads the model that ``neuronet train shakespeare-lstm`` saved (``runs/shakespeare-lstm/
model.safetensors``) or, without one, trains a small model here by truncated BPTT on the start of
the training part (a few minutes; the text will be rougher).  Generation begins at ``<start>`` —
the beginning of a speech — or at a prime such as ``"ROMEO.\\n"``, and carries the LSTM state one
character at a time.  Low temperatures repeat the most likely words; high ones invent words.

Run: python examples/shakespeare_generation.py [path/to/model.safetensors]
"""
import sys

import neuronet as nt
from neuronet.data.tbptt import TBPTTLoader
from neuronet.train.callbacks import ResetStatesOnEpoch
from neuronet.models import START_ID, CharLSTMLanguageModel, sequence_cross_entropy
from neuronet.recipes import language


def train_small(splits, train_chars: int, epochs: int, units: int, lanes: int = 32, bptt_steps: int = 100):
    """A CharLSTMLanguageModel trained on the first ``train_chars`` tokens of the training stream."""
    model = CharLSTMLanguageModel(len(splits["vocabulary"]), embedding_dim=32, units=units, stateful=True)
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=4e-3)
    model.fit(TBPTTLoader(splits["train"][:train_chars], lanes, bptt_steps), epochs=epochs, verbose=0,
              callbacks=[ResetStatesOnEpoch()])
    return model


def main(model_path: str | None = None, train_chars: int = 1_000_000, epochs: int = 1, units: int = 256,
         lanes: int = 32, bptt_steps: int = 100, length: int = 300, temperatures=(0.5, 0.8, 1.2), prime: str = "ROMEO.\n", text: str | None = None,
         seed: int = 0) -> dict:
    """Print samples; returns ``{"validation_nats_per_char", "samples": {temperature: text}, "primed"}``.

    Args:
        model_path: a saved model (the recipe's); None trains one here.
        train_chars, epochs, units, lanes, bptt_steps: the model trained here and its truncated BPTT.
        text: the corpus (default: all of Shakespeare); the validation stream is the recipe's split.
    """
    nt.manual_seed(seed)
    splits = language.shakespeare_splits(text)
    vocab = splits["vocabulary"]
    model = nt.load_model(model_path) if model_path else train_small(splits, train_chars, epochs, units,
                                                                               lanes, bptt_steps)
    loss = language.stream_loss(model, splits["validation"][:200_000], lanes, bptt_steps)
    print(f"validation loss {loss:.3f} nats/char on {min(200_000, splits['validation'].size)} characters")
    samples = {}
    for t in temperatures:
        ids = model.generate(prime=[START_ID], length=length, temperature=t, stop_id=None)
        samples[t] = language.decode_ids(ids, vocab)
        print(f"\n--- temperature {t} ---\n{samples[t]}")
    primed = prime + language.decode_ids(model.generate(prime, length, temperature=0.8, vocabulary=vocab), vocab)
    print(f"\n--- primed with {prime!r}, temperature 0.8, until <stop> ---\n{primed}")
    return {"validation_nats_per_char": loss, "samples": samples, "primed": primed}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
