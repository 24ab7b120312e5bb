"""What both training pipelines share.

metrics (the one confusion matrix / accuracy / UAR convention), folds (seed split, speaker
groups, RAVDESS folds), onnx_io (the one ONNX writer: checker + atomic write; the one OPSET;
metadata; onnxruntime sessions), quantize (the one int8 quantizer, which records what it did),
provenance (the training record, the one EXPORT_VERSION), card + card_text + plots (the model
card and its PNGs, written from a model's own metadata), files (atomic writes), errors
(ExportError).
"""

__all__ = [
    "card", "card_text", "errors", "files", "folds", "metrics", "onnx_io", "plots", "provenance", "quantize",
]
