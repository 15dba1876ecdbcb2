"""Semi-supervised node classification: Zachary's karate club from one labelled member per club.

Kipf & Welling's two-layer GCN, written out with the layers themselves (no Model wrapper): the
graph convolutions see every member's friendships, the loss sees only Mr. Hi (node 0) and the
Officer (node 33).  After 200 Adam steps the club of the 32 other members is read off the output;
the hidden layer, projected to 2-D, is drawn over the friendship edges (``karate_embedding.png``).

Run: python examples/karate_gcn.py        (a few seconds; networkx builds the graph, matplotlib draws it)
"""
import numpy as np

import neuronet as nt
from neuronet import functional as F


def main(seed: int = 0, steps: int = 200, plot: str | None = "karate_embedding.png"):
    g = nt.data.graphs.load_karate()                      # x: one-hot (34, 34); edges: (2, 156)
    nt.manual_seed(seed)
    conv1, conv2 = nt.nn.GCNConv(16), nt.nn.GCNConv(2)
    x = nt.tensor(g.x)
    labelled = np.array([0, 33])
    conv2(conv1(x, g.edge_index), g.edge_index)            # build the lazy layers
    params = list(conv1.parameters()) + list(conv2.parameters())
    opt = nt.optim.Adam(params, lr=0.01, weight_decay=5e-4)
    for _ in range(steps):
        h = F.relu(conv1(F.dropout(x, 0.5), g.edge_index))
        logits = conv2(F.dropout(h, 0.5), g.edge_index)
        loss = F.cross_entropy(logits[labelled], nt.tensor(g.y[labelled]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with nt.no_grad():
        hidden = F.relu(conv1(x, g.edge_index))
        pred = conv2(hidden, g.edge_index).data.argmax(axis=1)
    rest = np.setdiff1d(np.arange(34), labelled)
    accuracy = float((pred[rest] == g.y[rest]).mean())
    print(f"club of the 32 unlabelled members: {accuracy:.1%} right; misclassified: {rest[pred[rest] != g.y[rest]].tolist()}")
    if plot:
        try:
            nt.viz.save_embedding(hidden.data, g.y, plot, edges=g.edge_index, class_names=["Mr. Hi", "Officer"],
                                  highlight=labelled, annotate=True, title="GCN hidden layer (PCA)")
            print(f"embedding drawn in {plot}")
        except ImportError:
            print("matplotlib is not installed: no plot")
    return accuracy


if __name__ == "__main__":
    main()
