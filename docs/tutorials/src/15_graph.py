# title: graph convolutional networks — Zachary's karate club from two labelled members
# %% [markdown]
# # Graph networks: the karate-club GCN
#
# In a graph the data are nodes and the edges between them. A **graph convolution** (Kipf & Welling 2017)
# updates every node from its neighbours: $H' = \sigma(\hat D^{-1/2} \hat A \hat D^{-1/2} H W)$ with
# $\hat A = A + I$ (each node is its own neighbour) and $\hat D$ its degree matrix — the average of the
# neighbours' features, weighted by $1/\sqrt{\deg_i \deg_j}$, through one shared weight matrix $W$.
# Two layers: each node sees its neighbours' neighbours.
#
# Zachary's karate club (1977): 34 members, 78 friendships; the club split into two, around the instructor
# (Mr. Hi, node 0) and the administrator (node 33). We give the network the label of those two members only
# and let the friendships decide the other 32.

# %%
import tempfile
from pathlib import Path

import numpy as np
from IPython.display import Image

import neuronet as nt
from neuronet import functional as F

g = nt.data.graphs.load_karate()             # x: one-hot node ids (34, 34); edge_index (2, 156): both directions
print(f"{g.x.shape[0]} nodes, {g.edge_index.shape[1] // 2} friendships, clubs: {np.bincount(g.y)}")

# %% [markdown]
# ## One graph convolution by hand
# The normalised adjacency with NumPy, against `GCNConv` (PyTorch Geometric's layout: `lin.weight` is
# (out, in)):

# %%
nt.manual_seed(0)
conv = nt.nn.GCNConv(4)
out = conv(nt.tensor(g.x), g.edge_index).numpy()
A = np.zeros((34, 34))
A[g.edge_index[1], g.edge_index[0]] = 1
A_hat = A + np.eye(34)
d = A_hat.sum(1)
by_hand = (A_hat / np.sqrt(np.outer(d, d))) @ g.x @ conv.lin.weight.numpy().T + conv.bias.numpy()
print("GCNConv == D^-1/2 (A+I) D^-1/2 X W^T + b:", np.allclose(out, by_hand, atol=1e-5))

# %% [markdown]
# ## Semi-supervised training
# Two layers (16 hidden units, then 2 classes), dropout, Adam with weight decay, 200 steps. The loss sees only
# nodes 0 and 33; the convolutions see the whole graph.

# %%
nt.manual_seed(0)
conv1, conv2 = nt.nn.GCNConv(16), nt.nn.GCNConv(2)
x = nt.tensor(g.x)
labelled = np.array([0, 33])
conv2(conv1(x, g.edge_index), g.edge_index)            # build the lazy layers
opt = nt.optim.Adam(list(conv1.parameters()) + list(conv2.parameters()), lr=0.01, weight_decay=5e-4)
for step in range(200):
    h = F.relu(conv1(F.dropout(x, 0.5), g.edge_index))
    logits = conv2(F.dropout(h, 0.5), g.edge_index)
    loss = F.cross_entropy(logits[labelled], nt.tensor(g.y[labelled]))
    opt.zero_grad()
    loss.backward()
    opt.step()
with nt.no_grad():
    hidden = F.relu(conv1(x, g.edge_index))
    pred = conv2(hidden, g.edge_index).numpy().argmax(1)
rest = np.setdiff1d(np.arange(34), labelled)
print(f"club of the 32 unlabelled members: {np.mean(pred[rest] == g.y[rest]):.1%} right; "
      f"wrong: {rest[pred[rest] != g.y[rest]].tolist()}")

# %% [markdown]
# ## The picture
# The 16 hidden features of every member, projected to 2-D (PCA), drawn with the friendships; colour is the
# true club, the two labelled members are highlighted. Friends end up close together — that is what the
# graph convolution does — and the two clubs separate.

# %%
path = str(Path(tempfile.mkdtemp()) / "karate.png")
Image(nt.viz.save_embedding(hidden.numpy(), g.y, path, edges=g.edge_index, class_names=["Mr. Hi", "Officer"],
                            highlight=labelled, annotate=True, title="GCN hidden layer (PCA)"))
