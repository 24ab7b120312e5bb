"""The seed-compatible MFCC-mean pipeline (``python -m export train``, ``convert``, ``evaluate``,
``to-npz``): one 40-value MFCC-mean row per utterance -> a small Keras network -> ONNX.

data (Dataset) + loaders (features folders, .npz) + describe (the record's data part, the
protocol texts), protocol (speaker-independent and holdout folds of a Dataset), recipe (the
training settings), augment + bandmap (row augmentations, the learned 16 kHz map), keras_model
(the network), train (one fit), crossval (a protocol's folds, pooled reports), reports (reports
per corpus subset), graph (Keras -> ONNX with the contract).
"""

__all__ = [
    "augment", "bandmap", "crossval", "data", "describe", "graph", "keras_model", "loaders", "protocol",
    "recipe", "reports", "train",
]
