# title: recurrent networks — the Elman RNN step by step, LSTM and GRU gates, vanishing gradients through time
# %% [markdown]
# # RNN, LSTM and GRU
#
# A recurrent layer reads a sequence one step at a time and carries a **state** $h_t$ from step to
# step: the Elman RNN computes $h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})$. The same
# weights serve every step, so the layer handles sequences of any length. The **LSTM** adds a cell
# state guarded by input, forget and output gates; the **GRU** merges them into reset and update
# gates. Both were invented so that gradients survive many steps.

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt

nt.manual_seed(0)

# %% [markdown]
# ## The recurrence by hand
# `SimpleRNN(4, return_sequences=True)` on a batch of 2 sequences of 5 steps with 3 features. Its
# parameters use PyTorch's names and layouts (`weight_ih_l0` is (hidden, input)); a Python loop over the
# time steps with those weights gives the same states:

# %%
rnn = nt.nn.SimpleRNN(4, return_sequences=True)
x = np.random.default_rng(0).standard_normal((2, 5, 3)).astype(np.float32)
states = rnn(nt.tensor(x)).numpy()
p = {name: v.numpy() for name, v in rnn.named_parameters()}
print({name: v.shape for name, v in p.items()})
h = np.zeros((2, 4), np.float32)
by_hand = []
for t in range(5):                               # the loop over time steps
    h = np.tanh(x[:, t] @ p["weight_ih_l0"].T + p["bias_ih_l0"] + h @ p["weight_hh_l0"].T + p["bias_hh_l0"])
    by_hand.append(h)
print("layer == loop:", np.allclose(states, np.stack(by_hand, axis=1), atol=1e-6))

# %% [markdown]
# Gates multiply the parameter count: an LSTM has 4 blocks of weights (input, forget, cell, output gates,
# PyTorch's order i, f, g, o), a GRU 3 (reset, update, new):

# %%
for layer in (nt.nn.SimpleRNN(16), nt.nn.LSTM(16), nt.nn.GRU(16)):
    layer(nt.tensor(np.zeros((1, 2, 3), np.float32)))          # build for 3 input features
    print(f"{type(layer).__name__:9s} {sum(v.size for v in layer.parameters()):5d} parameters:",
          {n: v.shape for n, v in layer.named_parameters() if "weight" in n})

# %% [markdown]
# ## A sequence task: slow or fast?
# Noisy sine waves of 40 steps, each with a random phase; class 0 has frequency 0.05, class 1 has 0.15
# cycles per step. Many-to-one: the layer's last state feeds a dense classifier. 600 training
# sequences, 8 epochs — seconds. With this short budget the GRU solves the task (test accuracy near 1),
# the LSTM is part of the way there and the plain RNN has barely started: gates make learning easier,
# not only longer memories possible. More epochs let all three get there.

# %%
def waves(n, seed):
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    freq = np.where(label == 0, 0.05, 0.15)
    t = np.arange(40)
    x = np.sin(2 * np.pi * freq[:, None] * t + rng.uniform(0, 2 * np.pi, (n, 1))) + 0.3 * rng.standard_normal((n, 40))
    return x[..., None].astype(np.float32), label

x_train, y_train = waves(600, 0)
x_test, y_test = waves(300, 1)
for cell in (nt.nn.SimpleRNN, nt.nn.LSTM, nt.nn.GRU):
    nt.manual_seed(0)
    model = nt.Sequential([cell(16), nt.nn.Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=1e-2)
    model.fit(x_train, y_train, epochs=8, batch_size=32, verbose=0)
    print(f"{cell.__name__:9s} test accuracy {model.evaluate(x_test, y_test)['accuracy']:.3f}")

# %% [markdown]
# ## The hidden state over time
# The last model's (GRU's) state sequences, projected to 2-D with PCA: slow and fast waves trace
# different loops, which is what the classifier reads.

# %%
gru_seq = nt.nn.GRU(16, return_sequences=True)
gru_seq(nt.tensor(x_test[:1]))                                   # build, then take the trained weights
gru_seq.load_state_dict(model[0].state_dict())
nt.viz.plot_hidden_states(gru_seq(nt.tensor(x_test[:10])).numpy(), labels=y_test[:10],
                          title="GRU states on slow (0) and fast (1) waves")

# %% [markdown]
# ## Vanishing gradients through time
# How much does the loss at the last step depend on the input at step $t$? The norm of
# $\partial h_T / \partial x_t$ for freshly initialised layers over 60 steps (log scale): the tanh RNN's
# falls by orders of magnitude within a few dozen steps — it cannot learn long-range dependencies —
# while the gated layers keep more.

# %%
x_long = np.random.default_rng(2).standard_normal((16, 60, 4))
norms = {name: nt.viz.gradient_norms_through_time(layer, x_long)
         for name, layer in (("SimpleRNN (tanh)", nt.nn.SimpleRNN(16, return_sequences=True)),
                             ("LSTM", nt.nn.LSTM(16, return_sequences=True)),
                             ("GRU", nt.nn.GRU(16, return_sequences=True)))}
nt.viz.plot_gradient_norms(norms)
