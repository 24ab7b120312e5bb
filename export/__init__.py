"""Build-time tools of ser-edge: train, convert and evaluate models, write the ONNX file and its card.

Run as ``python -m export``. Needs the ``export`` extra (TensorFlow, tf2onnx, matplotlib);
the runtime package ``ser_edge`` never imports this one.
"""

EXPORT_VERSION = "0.1.0"
