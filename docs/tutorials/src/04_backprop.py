# title: back-propagation by hand vs autograd — Matt Mazur's 2-2-2 worked example, number for number
# %% [markdown]
# # Back-propagation by hand vs autograd
#
# The course's worked example is Matt Mazur's "A Step by Step Backpropagation Example" (2015): a
# network with 2 inputs, 2 sigmoid hidden neurons and 2 sigmoid outputs, one training sample, the
# squared error $E = \sum_k \tfrac12 (t_k - o_k)^2$, and one step of gradient descent with learning
# rate 0.5. We compute every number by the chain rule with NumPy, then let neuronet's autograd do it,
# and compare both with the numbers printed in the original post.
#
# | | |
# |---|---|
# | inputs | $i_1 = 0.05,\ i_2 = 0.10$ |
# | targets | $t_1 = 0.01,\ t_2 = 0.99$ |
# | input → hidden | $w_1 = .15,\ w_2 = .20,\ w_3 = .25,\ w_4 = .30$, bias $b_1 = .35$ |
# | hidden → output | $w_5 = .40,\ w_6 = .45,\ w_7 = .50,\ w_8 = .55$, bias $b_2 = .60$ |
#
# $h_1 = \sigma(w_1 i_1 + w_2 i_2 + b_1)$, $h_2 = \sigma(w_3 i_1 + w_4 i_2 + b_1)$,
# $o_1 = \sigma(w_5 h_1 + w_6 h_2 + b_2)$, $o_2 = \sigma(w_7 h_1 + w_8 h_2 + b_2)$.

# %%
import numpy as np
import neuronet as nt
import neuronet.functional as F

i = np.array([0.05, 0.10])
t = np.array([0.01, 0.99])
W1 = np.array([[0.15, 0.20],      # row k: the weights into hidden neuron k — PyTorch's (out, in) layout
               [0.25, 0.30]])
W2 = np.array([[0.40, 0.45],
               [0.50, 0.55]])
b1, b2 = 0.35, 0.60
sigmoid = lambda z: 1 / (1 + np.exp(-z))

# %% [markdown]
# ## The forward pass by hand

# %%
net_h = W1 @ i + b1
h = sigmoid(net_h)
net_o = W2 @ h + b2
o = sigmoid(net_o)
E = 0.5 * np.sum((t - o) ** 2)
print(f"net_h1 = {net_h[0]:.9f}   out_h1 = {h[0]:.9f}   out_h2 = {h[1]:.9f}")
print(f"net_o1 = {net_o[0]:.9f}   out_o1 = {o[0]:.9f}   out_o2 = {o[1]:.9f}")
print(f"E_total = {E:.9f}")

# %% [markdown]
# ## The backward pass by hand (the chain rule)
# Output layer: $\dfrac{\partial E}{\partial w_5} = \dfrac{\partial E}{\partial o_1}\,\dfrac{\partial o_1}{\partial net_{o_1}}\,
# \dfrac{\partial net_{o_1}}{\partial w_5} = (o_1 - t_1)\cdot o_1(1-o_1)\cdot h_1$. Call
# $\delta_o = (o - t)\, o(1-o)$; then $\partial E/\partial W_2 = \delta_o h^\top$.
#
# Hidden layer: each hidden output feeds both outputs, so its error sums over them:
# $\partial E/\partial h = W_2^\top \delta_o$, $\delta_h = (W_2^\top\delta_o)\, h(1-h)$, and
# $\partial E/\partial W_1 = \delta_h i^\top$.

# %%
delta_o = (o - t) * o * (1 - o)
dW2 = np.outer(delta_o, h)
delta_h = (W2.T @ delta_o) * h * (1 - h)
dW1 = np.outer(delta_h, i)
print("dE/dw5..w8 =", dW2.ravel().round(9))
print("dE/dw1..w4 =", dW1.ravel().round(9))

# %% [markdown]
# ## The same with neuronet's autograd
# Two `Dense` layers with these weights (float64 so every printed digit is meaningful); `backward()`
# fills each parameter's `.grad`. The biases are shared per layer in Mazur's network, so we give each
# neuron of a layer the same bias value.

# %%
nt.set_default_dtype(np.float64)
hidden = nt.nn.Dense(2, activation="sigmoid", in_features=2)
output = nt.nn.Dense(2, activation="sigmoid", in_features=2)
hidden.weight.data[...] = W1
hidden.bias.data[...] = b1
output.weight.data[...] = W2
output.bias.data[...] = b2
model = nt.Sequential([hidden, output])

def squared_error(model):
    out = model(nt.tensor(i[None]))
    return 0.5 * ((nt.tensor(t[None]) - out) ** 2).sum()

loss = squared_error(model)
loss.backward()
with nt.no_grad():
    out_before = model(nt.tensor(i[None])).numpy()[0]
print(f"E_total = {loss.item():.9f}")
print("dE/dw5..w8 =", output.weight.grad.ravel().round(9))
print("dE/dw1..w4 =", hidden.weight.grad.ravel().round(9))
assert np.allclose(output.weight.grad, dW2, rtol=1e-12) and np.allclose(hidden.weight.grad, dW1, rtol=1e-12)

# %% [markdown]
# ## One step of gradient descent, and the post's numbers
# $w \leftarrow w - 0.5\,\partial E/\partial w$. Mazur leaves the biases fixed, so the optimizer gets only
# the two weight matrices. The table compares the hand computation, autograd + `nt.optim.SGD`, and the
# values printed in the post (9 decimals there).

# %%
opt = nt.optim.SGD([hidden.weight, output.weight], lr=0.5)
opt.step()
published = {"E_total": 0.298371109, "out_o1": 0.75136507, "dE/dw5": 0.082167041,
             "w5+": 0.35891648, "w6+": 0.408666186, "w7+": 0.511301270, "w8+": 0.561370121,
             "w1+": 0.149780716, "w2+": 0.19956143, "w3+": 0.24975114, "w4+": 0.29950229}
hand = {"E_total": E, "out_o1": o[0], "dE/dw5": dW2[0, 0],
        **{f"w{k + 5}+": v for k, v in enumerate((W2 - 0.5 * dW2).ravel())},
        **{f"w{k + 1}+": v for k, v in enumerate((W1 - 0.5 * dW1).ravel())}}
auto = {"E_total": loss.item(), "out_o1": out_before[0], "dE/dw5": output.weight.grad[0, 0],
        **{f"w{k + 5}+": v for k, v in enumerate(output.weight.numpy().ravel())},
        **{f"w{k + 1}+": v for k, v in enumerate(hidden.weight.numpy().ravel())}}
print(f"{'':8s} {'by hand':>12s} {'autograd':>12s} {'Mazur 2015':>12s}")
for key, value in published.items():
    print(f"{key:8s} {hand[key]:12.9f} {auto[key]:12.9f} {value:12.9f}")
    assert abs(hand[key] - value) < 1e-8 and abs(auto[key] - value) < 1e-8

# %% [markdown]
# ## 10,000 rounds
# The post repeats the round 10,000 times and reports the error 0.0000351085 with outputs 0.015912196
# (target 0.01) and 0.984065734 (target 0.99). Its loop computes the error and *then* updates, so the
# 10,000th round's numbers belong to weights updated 9,999 times: one step done above, 9,998 more here.
#
# The error agrees to every printed digit. The outputs agree to 2·10⁻⁶ only: the post's two outputs
# do not belong to its own error (put into the formula they give 0.0000350848), so they must come from
# another run; ours give the error they are printed with.

# %%
errors = []
for step in range(9_998):
    opt.zero_grad()
    loss = squared_error(model)
    loss.backward()
    opt.step()
    errors.append(loss.item())
with nt.no_grad():
    final = model(nt.tensor(i[None])).numpy()[0]
E_final = squared_error(model).item()
print(f"round 10,000: E = {E_final:.10f} (post: 0.0000351085), outputs {final.round(9)} (post: 0.015912196, 0.984065734)")
assert abs(E_final - 0.0000351085) < 1e-10
post_outputs = np.array([0.015912196, 0.984065734])
assert np.allclose(final, post_outputs, atol=3e-6)
print(f"the post's outputs give E = {0.5 * np.sum((t - post_outputs) ** 2):.10f}, not its own 0.0000351085")
nt.set_default_dtype(np.float32)

# %% [markdown]
# The error curve (log scale) and the trained network (red positive, blue negative weights):

# %%
import matplotlib.pyplot as plt

plt.figure(figsize=(5, 3))
plt.semilogy(np.arange(1, len(errors) + 1), errors)
plt.xlabel("step")
plt.ylabel("E_total")
plt.show()

# %%
nt.viz.plot_network(model, x=i)
