"""The ``frames16k`` frontend kind (the default models): 16 kHz frame features pooled over speech.

- :mod:`.spec`: :class:`Frames16kSpec`, the kind's contract (every setting checked);
- :mod:`.frames`: log-mel, MFCC, energy and spectral shape per 10 ms frame (equal to
  python_speech_features), one-shot and incremental (:class:`~.frames.FrameStream`);
- :mod:`.pitch`: YIN F0 and voicing per frame;
- :mod:`.vad`: speech detection, an energy pre-gate then Silero (:mod:`.silero`: the vendored
  model file, its graph computed with numpy, the LSTM by ONNX Runtime in :mod:`.lstm`);
- :mod:`.pooling`: the model inputs from speech frames only (CNN frames and functionals);
- :mod:`.frontend`: :class:`FramesFrontend` and its window stream.

Shared DSP (the DCT) is :mod:`ser_edge.frontend.dsp`; frame levels :mod:`ser_edge.audio.levels`.
"""

from __future__ import annotations

from .frames import FrameBlock, FrameStream, compute_frames
from .frontend import FramesFrontend, FrameWindowStream
from .pooling import cnn_input, functional_names, functionals, n_functionals
from .spec import FRAMES16K_TYPE, Frames16kSpec
from .vad import detect_speech

__all__ = [
    "FRAMES16K_TYPE", "FrameBlock", "FrameStream", "FrameWindowStream", "Frames16kSpec", "FramesFrontend",
    "cnn_input", "compute_frames", "detect_speech", "functional_names", "functionals", "n_functionals",
]
