"""The base of the auto-encoders, VAEs and GANs: a Model whose targets default to its inputs, with
the one optimizer step (zero grads → backward → clip → step) that their own training steps share."""
from __future__ import annotations

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..tensor import Tensor
from ..train import Model

__all__ = ["GenerativeModel"]


class GenerativeModel(Model):
    """A :class:`~neuronet.Model` that learns from inputs alone: ``fit(x)`` trains with ``y = x``
    (the first array when ``x`` is a tuple such as ``(images, labels)``)."""

    def fit(self, x=None, y=None, *args, **kwargs):
        """``Model.fit`` with ``y`` defaulting to the images in ``x`` (see :meth:`Model.fit`)."""
        if y is None and (hasattr(x, "shape") or (isinstance(x, tuple) and x and hasattr(x[0], "shape"))):
            y = x[0] if isinstance(x, tuple) else x
        return super().fit(x, y, *args, **kwargs)

    def _step(self, loss, optimizer, params=None):
        """One update of ``optimizer`` from ``loss`` (gradients of other parameters are cleared too)."""
        self.zero_grad()
        loss.backward()
        params = list(self.parameters()) if params is None else params
        if self.clipnorm is not None or self.clipvalue is not None:
            from ..optim import clip_grad_norm_, clip_grad_value_
            if self.clipvalue is not None:
                clip_grad_value_(params, self.clipvalue)
            if self.clipnorm is not None:
                clip_grad_norm_(params, self.clipnorm)
        optimizer.step()

    def _run(self, module, *arrays, batch_size: int = 256):
        """``module`` on arrays in evaluation mode without a graph, batch by batch; NumPy out."""
        was = self.training
        self.eval()
        outs = []
        try:
            with no_grad():
                for s in range(0, arrays[0].shape[0], batch_size):
                    out = module(*[self._as_batch(a[s:s + batch_size]) for a in arrays])
                    outs.append(backend.to_numpy(out.data if isinstance(out, Tensor) else out))
        finally:
            self.train(was)
        return np.concatenate(outs, axis=0)

    def _as_batch(self, a):
        if isinstance(a, Tensor):
            return a
        a = np.asarray(a) if not hasattr(a, "dtype") else a
        return self._to_tensor(a)
