"""ONNX export (``pip install 'neuronet[onnx]'``): ``nt.onnx.export(model, example, "model.onnx")``.

The model's forward pass is traced (every Function it applies, with the layer that applied it)
and each Function is written as the ONNX nodes that compute the same thing; the file is checked
with ``onnx.checker``.  onnx is imported on first use.
"""
from .export import export, DEFAULT_OPSET
from .graph import ExportError

__all__ = ["export", "ExportError", "DEFAULT_OPSET"]
