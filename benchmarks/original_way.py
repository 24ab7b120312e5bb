"""The original project's pipeline, for comparison: librosa.load + mfcc mean + Keras predict.

    python benchmarks/original_way.py FILE...   # needs the export extra (tensorflow, tf_keras) + librosa

Prints one line per file: the label and its probability. Used by benchmarks/compare.py for the
cold start, peak RSS and throughput of the original way (the same steps as the original code:
``librosa.load(res_type='kaiser_fast')``, ``librosa.feature.mfcc(n_mfcc=40)`` mean over frames,
``model.predict`` of the Keras 2 model loaded with tf_keras).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
LABELS = ("neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised")
H5 = Path(os.environ.get("SER_EDGE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) \
    / "seed" / "SER_model.h5"


def main() -> None:
    import librosa
    import numpy as np
    import tf_keras

    model = tf_keras.models.load_model(str(H5), compile=False)
    for path in sys.argv[1:]:
        y, sr = librosa.load(path, res_type="kaiser_fast")
        features = np.mean(librosa.feature.mfcc(y=y, sr=sr, n_mfcc=40).T, axis=0)
        probs = model.predict(features[None, :, None], verbose=0)[0]
        print(f"{path}  {LABELS[int(np.argmax(probs))]} {float(np.max(probs)):.4f}", flush=True)


if __name__ == "__main__":
    main()
