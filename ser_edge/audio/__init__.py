"""Audio in: files, raw PCM and caller buffers to mono float32, and the resampler.

- :mod:`.read`: files, raw PCM and caller buffers to mono float32;
- :mod:`.filestream`: every audio file read block by block (:class:`FileBlocks`): WAV by
  :mod:`.wav`, other formats by soundfile;
- :mod:`.wav`: a WAV file's layout and its frames in numpy (what scipy.io.wavfile reads; the
  placeholder sizes of a WAV streamed to a pipe corrected);
- :mod:`.samples`: stored samples to mono float32, scaled as libsndfile scales them;
- :mod:`.resample`: the one resampler (resampy's filters bit for bit, and scipy's
  ``resample_poly`` in numpy for frames16k), whole buffers and streams (:class:`StreamResampler`).

Imports only :mod:`ser_edge.errors` (and soundfile, on the first file that is not PCM/float
WAV). ``resample`` here is the module; the function is ``ser_edge.audio.resample.resample``.
"""

from __future__ import annotations

from .filestream import FileBlocks
from .read import as_mono_float32, check_audio, decode_pcm, read_audio
from .resample import StreamResampler, output_length

__all__ = [
    "FileBlocks", "StreamResampler", "as_mono_float32", "check_audio", "decode_pcm", "output_length",
    "read_audio",
]
