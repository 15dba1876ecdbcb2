"""Arabic -> Roman numerals with an RNN encoder-decoder and attention (the course's seq2seq chapter).

Trains :class:`neuronet.models.Seq2Seq` by teacher forcing on 70% of the numbers 1-3999, then
writes numbers it has never seen, greedily and with beam search, and draws where the decoder
looked while writing 1994 (Roman letters × Arabic digits).

    python examples/roman_numerals.py                       # Bahdanau attention, ~15 epochs
    python examples/roman_numerals.py --attention luong     # Luong (dot) attention, faster per epoch
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import neuronet as nt
from neuronet.data.numerals import (
    ARABIC_VOCAB, ROMAN_VOCAB, TARGET_LENGTH, decode_roman, encode_numbers, numeral_pairs, numerals_split, to_roman,
)
from neuronet.models import Seq2Seq
from neuronet.recipes.numerals import exact_match, plot_attention


def main(attention: str = "bahdanau", epochs: int = 15, out: str = "runs/roman_numerals", seed: int = 0,
         verbose: int = 1) -> dict:
    """Train, translate unseen numbers, draw the attention heat map; returns the results."""
    nt.manual_seed(seed)
    parts = numerals_split(test_fraction=0.2, seed=seed)
    src, tgt_in, tgt_out = numeral_pairs(parts["train"])          # teacher forcing: <start> M C ... / M C ... <stop>

    model = Seq2Seq(len(ARABIC_VOCAB), len(ROMAN_VOCAB), embedding_dim=32, units=64, attention=attention)
    model.compile(optimizer="adam", learning_rate=3e-3)            # loss: cross-entropy that skips <pad>
    val_src, val_in, val_out = numeral_pairs(parts["validation"])
    model.fit((src, tgt_in), tgt_out, epochs=epochs, batch_size=32, verbose=verbose,
              validation_data=((val_src, val_in), val_out))

    unseen = [int(n) for n in parts["test"][[0, 100, 300, 500, 799]]]
    greedy = model.translate(encode_numbers(unseen), max_len=TARGET_LENGTH)
    beam = model.translate(encode_numbers(unseen), max_len=TARGET_LENGTH, beam_width=3)
    for n, g, b in zip(unseen, greedy, beam):
        print(f"{n:>4} -> greedy {decode_roman(g):<16} beam {decode_roman(b):<16} (true {to_roman(n)})")

    accuracy, mistakes = exact_match(model, parts["test"])
    print(f"exact match on {len(parts['test'])} unseen numbers: {accuracy:.2%}; mistakes: {mistakes[:5]}")
    os.makedirs(out, exist_ok=True)
    try:
        heatmap = plot_attention(model, 1994, os.path.join(out, "attention_1994.png"))
    except ImportError:  # matplotlib is optional
        heatmap = None
    written = model.translate(encode_numbers([1994]), max_len=TARGET_LENGTH)
    weights = model.attention_weights(encode_numbers([1994]), written)[0]   # (letters + <stop>, digits)
    print(f"attention heat map {'written to ' + heatmap if heatmap else 'skipped (no matplotlib)'}; digit each "
          f"letter of {decode_roman(written[0])} looks at most: {np.argmax(weights[:, :4], axis=1).tolist()}")
    return {"exact_match": accuracy, "heatmap": heatmap, "translations": dict(zip(unseen, map(decode_roman, beam)))}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attention", default="bahdanau", choices=["bahdanau", "luong", "luong-general"])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--out", default="runs/roman_numerals")
    args = parser.parse_args()
    main(args.attention, args.epochs, args.out)
