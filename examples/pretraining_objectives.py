"""The three pre-training objectives of BERT, GPT and T5 on Shakespeare, with a BPE tokenizer written in neuronet.

1. Train a byte-pair-encoding tokenizer on the plays (special tokens and T5 sentinels included) and
   show how it cuts a line into sub-words.
2. **Masked LM** (BERT): a small encoder learns to fill in 15 % of the tokens (80 % [MASK], 10 %
   random, 10 % unchanged); its masked-token accuracy on held-out lines before and after.
3. **Causal LM** (GPT): the GPT-style decoder learns next-token prediction on BPE tokens and writes a sample.
4. **Span corruption** (T5): the encoder–decoder learns to write back the spans hidden behind sentinels.

Each objective is a collator (``neuronet.data.collators``) turning padded ids into inputs and labels,
redrawn every epoch by ``CollatedLoader``; one loss (``lm_cross_entropy``) serves all three.  The
sizes here are small so the example runs in a few minutes on a laptop; the ``rt-pretrain-finetune``
recipe uses the masked LM to pre-train a sentiment classifier.

Run: python examples/pretraining_objectives.py
"""
import neuronet as nt
from neuronet.backend import np
from neuronet.data.collators import CausalLMCollator, CollatedLoader, MaskedLMCollator, SpanCorruptionCollator
from neuronet.data.datasets import load_shakespeare
from neuronet.data.tokenizers import BPETokenizer
from neuronet.models import GPTLanguageModel, MaskedLanguageModel, Seq2SeqTransformer, lm_cross_entropy


def lines_of(text: str, count: int) -> list:
    """The first ``count`` non-empty lines of ``text``."""
    return [line.strip() for line in text.split("\n") if line.strip()][:count]


def main(lines: int = 6000, vocab_size: int = 1500, max_len: int = 24, steps: int = 150, seed: int = 0,
         text: str | None = None) -> dict:
    """Run the four parts; returns their figures (losses before/after, accuracies, sample)."""
    nt.manual_seed(seed)
    corpus = lines_of(text if text is not None else load_shakespeare(), lines)
    held_out, corpus = corpus[:300], corpus[300:]
    tok = BPETokenizer.train(corpus, vocab_size, num_sentinels=8)
    print(f"{tok}; 'Wherefore art thou Romeo?' ->", tok.tokenize("Wherefore art thou Romeo?"))
    ids = tok.encode_batch(corpus, max_length=max_len, padding="max_length")["input_ids"]
    test = tok.encode_batch(held_out, max_length=max_len, padding="max_length")["input_ids"]
    size = dict(d_model=64, nhead=4, dim_feedforward=128, dropout=0.1)
    results = {"vocab_size": tok.vocab_size}

    # 2. masked LM: accuracy on the masked tokens of held-out lines (the same masking before and after)
    mlm = MaskedLanguageModel(tok.vocab_size, num_layers=2, max_len=max_len, **size)
    mlm.compile(optimizer="adam", loss=lm_cross_entropy, learning_rate=2e-3)

    def masked_accuracy():
        mlm.eval()
        (x, chosen), y = MaskedLMCollator.from_tokenizer(tok, compact=True, rng=np.random.default_rng(1))(test)
        with nt.no_grad():
            accuracy = float((mlm((x, chosen)).data.argmax(axis=1) == y[chosen]).mean())
        mlm.train()
        return round(accuracy, 3)

    before = masked_accuracy()
    mlm.fit(CollatedLoader(ids, MaskedLMCollator.from_tokenizer(tok, compact=True), batch_size=64, batches=steps),
            epochs=1, verbose=0)
    results["masked_lm_accuracy"] = (before, masked_accuracy())
    print(f"masked LM: accuracy on held-out masked tokens {before} -> {results['masked_lm_accuracy'][1]}")

    # 3. causal LM with the GPT-style decoder, then a sample
    gpt = GPTLanguageModel(tok.vocab_size, num_layers=2, max_len=max_len, **size)
    gpt.compile(optimizer="adam", loss=lm_cross_entropy, learning_rate=2e-3)
    causal = CollatedLoader(ids, CausalLMCollator(tok.pad_id), batch_size=64, batches=steps)
    test_x, test_y = CausalLMCollator(tok.pad_id)(test)
    before = gpt.evaluate(test_x, test_y, batch_size=100)["loss"]
    gpt.fit(causal, epochs=1, verbose=0)
    after = gpt.evaluate(test_x, test_y, batch_size=100)["loss"]
    sample = tok.decode(gpt.generate(tok.encode("ROMEO"), max_new_tokens=20, temperature=0.8, top_k=20))
    results["causal_lm_loss"], results["sample"] = (round(before, 3), round(after, 3)), sample
    print(f"causal LM: held-out loss {before:.3f} -> {after:.3f} nats/token; sample: {sample!r}")

    # 4. span corruption with the encoder–decoder
    t5 = Seq2SeqTransformer(tok.vocab_size, tok.vocab_size, num_encoder_layers=2, num_decoder_layers=2,
                            max_len=max_len + 2, **size)
    t5.compile(optimizer="adam", loss=lm_cross_entropy, learning_rate=2e-3)
    spans = SpanCorruptionCollator.from_tokenizer(tok, rng=np.random.default_rng(2))
    src, tgt_in, tgt_out = spans(test)
    print("span corruption: input ", tok.decode(src[0], skip_special_tokens=False).replace("[PAD]", ""))
    print("                 target", tok.decode(tgt_out[0][tgt_out[0] >= 0], skip_special_tokens=False))
    before = t5.evaluate((src, tgt_in), tgt_out, batch_size=100)["loss"]
    t5.fit(CollatedLoader(ids, SpanCorruptionCollator.from_tokenizer(tok), batch_size=64, batches=steps),
           epochs=1, verbose=0)
    after = t5.evaluate((src, tgt_in), tgt_out, batch_size=100)["loss"]
    results["span_corruption_loss"] = (round(before, 3), round(after, 3))
    print(f"span corruption: held-out loss {before:.3f} -> {after:.3f} nats/token")
    return results


if __name__ == "__main__":
    main()
