"""Audio in, features out: the first stage of the runtime.

- :mod:`.audio`: files, raw PCM and caller buffers to mono float32 (WAV repair included);
- :mod:`.resample`: the one resampler (resampy's filters bit for bit, and scipy's
  ``resample_poly`` in numpy for frames16k), whole buffers (:func:`resample`) and streams
  (:class:`StreamResampler`);
- :mod:`.mel` and :mod:`.mfcc`: the librosa-exact MFCC-mean frontend (:func:`extract`);
- :mod:`.incremental`: sliding-window MFCC means of a stream, each frame computed once;
- :mod:`.activity`: frame levels and the "was anything said?" check;
- :mod:`.gate`, :mod:`.buffer`, :mod:`.utterances`: a stream's energy gate (and DC blocker),
  its recent audio, and its utterances;
- :mod:`.windows`: the MFCC-mean frontend's windowed feature stream (window mode);
- the 16 kHz frame frontend ("frames16k", :class:`~ser_edge.config.FrameSpec`): :mod:`.frames`
  (python_speech_features frames, one-shot and incremental), :mod:`.pitch` (YIN F0),
  :mod:`.vad` (Silero VAD behind an energy pre-gate), :mod:`.pooling` (the model inputs from
  speech frames only) and :mod:`.frames16k` (:class:`FramesFrontend` and its window stream),
  imported only when a model names the kind;
- :mod:`.protocol` and :mod:`.kinds`: what a frontend offers (:class:`Frontend`, the model's
  inputs by name: ``ModelInputs``) and the kinds a model may name (:func:`make_frontend`);
- :mod:`.filestream`: an audio file read block by block (:class:`FileBlocks`).

Imports only :mod:`ser_edge.config` and :mod:`ser_edge.errors`. ``resample`` here is the
module; the function is ``ser_edge.frontend.resample.resample``.
"""

from __future__ import annotations

from .activity import ActivitySpec, frame_rms_db, has_speech
from .audio import as_mono_float32, check_audio, decode_pcm, read_audio
from .filestream import FileBlocks
from .incremental import IncrementalMfcc, WindowFeatures
from .kinds import make_frontend
from .mfcc import extract, mfcc_mean
from .protocol import FeatureWindow, Frontend, WindowStream
from .resample import StreamResampler, output_length

__all__ = [
    "ActivitySpec", "FeatureWindow", "FileBlocks", "Frontend", "IncrementalMfcc", "StreamResampler",
    "WindowFeatures", "WindowStream", "as_mono_float32", "check_audio", "make_frontend",
    "decode_pcm",
    "extract", "frame_rms_db", "has_speech", "mfcc_mean", "output_length", "read_audio",
]
