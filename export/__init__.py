"""Build-time tools of ser-edge: train, convert and evaluate models, write the ONNX file and its card.

Run as ``python -m export`` from a checkout (never installed; the wheel holds ``ser_edge`` only).
Needs the ``export`` extra (TensorFlow, tf2onnx, matplotlib); ``ser_edge`` never imports this one.

- :mod:`export.core`: what both pipelines share: metrics, folds, the ONNX writer and the int8
  quantizer, provenance (the one ``EXPORT_VERSION``), the model card;
- :mod:`export.mfcc_mean`: the seed-compatible MFCC-mean pipeline (``train``, ``convert``, ...);
- :mod:`export.frames16k`: the default model's pipeline (``train-frames16k``, ``calibrate``,
  ``card-figures``);
- :mod:`export.commands`: one module per subcommand; :mod:`export.cli`: the parser and dispatch.
"""

__all__ = ["cli", "commands", "core", "frames16k", "mfcc_mean"]
