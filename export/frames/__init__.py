"""Build-time training of the v2 models from raw audio with the 16 kHz frame frontend.

corpus (RAVDESS/TESS layouts), augment (audio-level), extract (features + cache, both cores),
models (tf_keras), crossval (speaker-grouped folds, metrics, temperature, ECE), onnx_export
(tf2onnx + the ser_edge.* metadata contract), cmd_train_frames (``python -m export train-frames``).
"""
