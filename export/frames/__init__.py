"""Build-time training of the v2 models from raw audio with the 16 kHz frame frontend.

corpus (RAVDESS/TESS layouts), augment (audio-level), extract (features + cache, both cores),
dataset (the training arrays), models (tf_keras), train (the members), crossval (speaker-grouped
folds, metrics, temperature, ECE), experiment (CV of a recipe + the final training), onnx_export
(tf2onnx + the ser_edge.* metadata contract), calibration (speaker calibration: enrolments,
the calibrated MLP, its CV), calibrated_export (the two-output model file), robustness
(runtime-path checks), card_figures (the card's figures). The commands ``python -m export
train-frames`` and ``calibrate`` are export/commands/train_frames.py and calibrate.py.
"""
