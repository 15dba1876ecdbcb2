# title: attention and Transformers — scaled dot-product attention by hand, masks, positional encoding, attention maps
# %% [markdown]
# # Attention and Transformers
#
# Attention lets every position of a sequence look at every other one and take a weighted average of
# what it finds. Each position asks a **query** $q$; every position offers a **key** $k$ and a **value**
# $v$. The weights are a softmax of query–key similarities:
# $\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(QK^\top/\sqrt{d}\right) V$ (scaled dot-product,
# Vaswani et al. 2017). A Transformer layer is self-attention (with several heads) plus a small MLP,
# each with a residual connection and layer normalisation.

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt
import neuronet.functional as F

nt.manual_seed(0)
rng = np.random.default_rng(0)

# %% [markdown]
# ## Scaled dot-product attention by hand
# Four positions, dimension 8. NumPy by the formula against `F.scaled_dot_product_attention`; with
# `is_causal=True` position $i$ may only look at positions $\le i$ (GPT's mask: no peeking ahead).

# %%
q, k, v = (rng.standard_normal((1, 4, 8)).astype(np.float32) for _ in range(3))
scores = q @ k.transpose(0, 2, 1) / np.sqrt(8)
weights = np.exp(scores - scores.max(-1, keepdims=True))
weights /= weights.sum(-1, keepdims=True)
out = F.scaled_dot_product_attention(nt.tensor(q), nt.tensor(k), nt.tensor(v)).numpy()
print("formula == F.scaled_dot_product_attention:", np.allclose(weights @ v, out, atol=1e-6))
causal = np.where(np.tril(np.ones((4, 4), bool)), scores, -np.inf)
w_causal = np.exp(causal - causal.max(-1, keepdims=True))
w_causal /= w_causal.sum(-1, keepdims=True)
out_causal = F.scaled_dot_product_attention(nt.tensor(q), nt.tensor(k), nt.tensor(v), is_causal=True).numpy()
print("causal mask:", np.allclose(w_causal @ v, out_causal, atol=1e-6))
nt.viz.plot_attention_maps(np.stack([weights[0], w_causal[0]])[None], title="weights: full (left) and causal (right)")

# %% [markdown]
# ## Positional encoding
# Attention itself ignores order: shuffle the positions and each output is shuffled the same way. So
# the input gets a **positional encoding** added: the original Transformer's sinusoids,
# $PE_{(p, 2i)} = \sin(p / 10000^{2i/d})$, $PE_{(p, 2i+1)} = \cos(\cdot)$ — fast waves in the first
# dimensions, slow ones in the last, so every position has a unique pattern.

# %%
nt.viz.plot_positional_encoding(64, 128)

# %% [markdown]
# ## Multi-head attention
# `MultiHeadAttention(num_heads, d_model)` projects queries, keys and values once per head (PyTorch's
# parameter layout) and returns the output and the attention weights; per head with
# `average_attn_weights=False`:

# %%
mha = nt.nn.MultiHeadAttention(2, 16)
x = nt.tensor(rng.standard_normal((1, 6, 16)).astype(np.float32))
y, w = mha(x, x, x, need_weights=True, average_attn_weights=False)
print("output", y.shape, "weights (batch, heads, queries, keys)", w.shape, "rows sum to 1:",
      np.allclose(w.numpy().sum(-1), 1, atol=1e-6))

# %% [markdown]
# ## A Transformer that learns where to look
# A task with a known answer: sequences of 12 tokens (digits 1–9; 0 is padding); the label says whether
# the token 7 occurs. A one-layer, two-head encoder with a [CLS] token (BERT-style) classifies from the
# [CLS] position's output. 2,000 training sequences, 10 epochs.

# %%
def sequences(n, seed):
    r = np.random.default_rng(seed)
    ids = r.integers(1, 10, (n, 12))
    ids[ids == 7] = 3                                  # no 7 ...
    label = r.integers(0, 2, n)
    where = r.integers(0, 12, n)
    ids[label == 1, where[label == 1]] = 7             # ... except once in the positive half
    return ids, label

ids_train, y_train = sequences(2000, 0)
ids_test, y_test = sequences(500, 1)
model = nt.models.TransformerClassifier(vocab_size=10, num_classes=2, d_model=32, nhead=2, num_layers=1,
                                        dim_feedforward=64, max_len=12, dropout=0.0)
model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=3e-3)
model.fit(ids_train, y_train, epochs=10, batch_size=64, verbose=0)
print("test accuracy:", model.evaluate(ids_test, y_test)["accuracy"])

# %% [markdown]
# The attention maps of one positive test sequence, per head (rows: queries, columns: keys; [CLS]
# first). In a one-layer encoder the [CLS] position can learn about the 7 only by attending to it, so
# look at the [CLS] row, and at the weight it gives the 7 (printed; a uniform spread would give 1/13 ≈ 0.08).
# In our run one of the two heads put a weight of 1.00 on the 7 in every positive sequence checked: it
# has become a 7-detector, and the classifier only has to read its output.

# %%
k = int(np.flatnonzero(y_test == 1)[0])
maps = model.attention_weights(ids_test[k:k + 1])            # one (1, heads, 13, 13) array per layer
labels = ["CLS"] + [str(t) for t in ids_test[k]]
seven = int(np.flatnonzero(ids_test[k] == 7)[0]) + 1                 # its column ([CLS] is column 0)
print("attention of [CLS] on the 7, per head:", maps[0][0, :, 0, seven].round(2),
      "| mean over all positive test sequences:",
      np.mean([model.attention_weights(ids_test[j:j + 1])[0][0, :, 0, int(np.flatnonzero(ids_test[j] == 7)[0]) + 1].max()
               for j in np.flatnonzero(y_test == 1)[:50]]).round(2), "(best head, 50 sequences)")
nt.viz.plot_attention_maps([m[0] for m in maps], query_labels=labels, key_labels=labels,
                           title=f"sequence with a 7 at position {seven}")
