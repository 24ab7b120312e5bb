"""The default model's pipeline: the frames16k frontend's features from raw audio -> a CNN + MLP
ensemble -> ONNX (``python -m export train-frames16k``, ``calibrate``, ``card-figures``).

The steps of ``train-frames16k``, in order: corpus (RAVDESS/TESS layouts), augment (audio-level
variants), extract (features + cache, both cores), dataset (the training arrays), experiment
(the recipe, speaker-grouped CV) with crossval (temperature, ECE) and report (the CV report),
members (the final fit, kept and reused), models + train (tf_keras networks and their
training), graph (Keras -> ONNX), model_file (the file with its contract, checks, int8).
Speaker calibration (``calibrate``): calibration (enrolments, the calibrated MLP, its CV) and
calibrated_export (the two-output model file). card_figures: the card's PNGs; robustness:
runtime-path checks (``python -m export.frames16k.robustness``). multicorpus: masked-softmax
targets and corpus-balanced sampling (``--corpus-masks``, ``--balance-corpora``); heldout: the
leave-one-corpus-out and held-out-speaker protocols (``python -m export loco``).
"""

__all__ = [
    "augment", "calibrated_export", "calibration", "card_figures", "corpus", "crossval", "dataset",
    "experiment", "extract", "graph", "heldout", "members", "model_file", "models", "multicorpus", "report",
    "robustness", "train",
]
