"""Audio in, features out: the first stage of the runtime.

- :mod:`.audio`: files, raw PCM and caller buffers to mono float32 (WAV repair included);
- :mod:`.resample`: the one resampler (resampy's filters, bit for bit), whole buffers
  (:func:`resample`) and streams (:class:`StreamResampler`);
- :mod:`.mel` and :mod:`.mfcc`: the librosa-exact MFCC-mean frontend (:func:`extract`);
- :mod:`.incremental`: sliding-window MFCC means of a stream, each frame computed once;
- :mod:`.activity`: frame levels and the "was anything said?" check.

Imports only :mod:`ser_edge.config` and :mod:`ser_edge.errors`. ``resample`` here is the
module; the function is ``ser_edge.frontend.resample.resample``.
"""

from __future__ import annotations

from .activity import ActivitySpec, frame_rms_db, has_speech
from .audio import as_mono_float32, check_audio, decode_pcm, read_audio
from .incremental import IncrementalMfcc, WindowFeatures
from .mfcc import extract, mfcc_mean
from .resample import StreamResampler, output_length

__all__ = [
    "ActivitySpec", "IncrementalMfcc", "StreamResampler", "WindowFeatures", "as_mono_float32", "check_audio",
    "decode_pcm",
    "extract", "frame_rms_db", "has_speech", "mfcc_mean", "output_length", "read_audio",
]
