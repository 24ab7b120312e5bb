"""The 16 kHz frame frontend ("frames16k") as the classifier sees it: audio at any rate in,
the model's two inputs out, speech decided by Silero VAD.

One buffer (:class:`FramesFrontend`): resample to 16 kHz (``spec.resampler``, "polyphase" =
``scipy.signal.resample_poly`` in numpy), the speech mask of the whole buffer
(:func:`~.vad.detect_speech`: energy pre-gate, a fixed gain, Silero in one call, hysteresis),
frame features (:func:`~.frames.compute_frames`, F0 on the speech frames only), then pooling
over speech frames only
(:func:`~.pooling.cnn_input`, :func:`~.pooling.functionals`). It holds speech when the mask
has ``min_speech_frames`` frames (:func:`~.pooling.has_speech`).

A stream (:class:`FrameWindowStream`, window mode): :class:`~.resample.StreamResampler` ->
:class:`~.frames.FrameStream` -> streaming VAD (:class:`~.vad.ChunkProbabilities` with a
tracked gain, :class:`~.vad.SpeechDecider`); every ``hop`` seconds the frames of the last
``window`` seconds are pooled over their speech frames. Each frame and each VAD chunk is
computed once, so a hop costs its new frames plus one pooling. A window's inputs equal the
pooling of the same rows of ``compute_frames`` of the whole resampled stream with the
stream's speech mask (``speech_mask`` of all its chunk decisions) (tested).
"""

from __future__ import annotations

import numpy as np

from ...audio.resample import StreamResampler, resample
from ...config import StreamSpec
from ..dsp import probe_noise
from ..protocol import FeatureWindow, InputShapes, ModelInputs
from .frames import FrameBlock, FrameStream, compute_frames, n_frames
from .pooling import cnn_input, functionals, has_speech, n_functionals
from .spec import Frames16kSpec
from .vad import ChunkProbabilities, SpeechDecider, detect_speech, widen

#: The ONNX input names of frames16k models.
FRAMES_INPUT, FUNCTIONALS_INPUT = "frames", "functionals"
#: Length (s) of the synthetic voiced signal of the load-time probe.
PROBE_SECONDS = 0.5


def to_model_rate(mono: np.ndarray, sample_rate: int, spec: Frames16kSpec) -> np.ndarray:
    """Mono audio (n,) at ``sample_rate`` Hz -> (m,) float64 at ``spec.sample_rate`` Hz."""
    x = np.asarray(mono).reshape(-1)
    if int(sample_rate) != spec.sample_rate:
        x = resample(x, int(sample_rate), spec.sample_rate, spec.resampler)
    return x.astype(np.float64)


def pooled_inputs(block: FrameBlock, mask: np.ndarray, spec: Frames16kSpec) -> ModelInputs:
    """The model's inputs of frames ``block`` (n rows) pooled over ``mask`` (n,) bool:
    ``{"frames": (T_speech, n_mels), "functionals": (F,)}`` float32."""
    return {FRAMES_INPUT: cnn_input(block, mask, spec),
            FUNCTIONALS_INPUT: functionals(block, mask, spec).astype(np.float32, copy=False)}


def voiced_probe(spec: Frames16kSpec) -> np.ndarray:
    """PROBE_SECONDS of a voice-like harmonic tone with vibrato (140 Hz), (n,) float64."""
    t = np.arange(int(PROBE_SECONDS * spec.sample_rate)) / spec.sample_rate
    phase = 2 * np.pi * np.cumsum(140.0 * (1 + 0.03 * np.sin(2 * np.pi * 5 * t))) / spec.sample_rate
    noise = probe_noise(len(t), 1e-3)
    return 0.1 * sum(np.sin(k * phase) / k for k in range(1, 8)) + noise


class FramesFrontend:
    """The frames16k frontend of whole buffers, and its window stream.

    Silero VAD (the vendored ONNX model) is loaded on the first speech decision, not before.
    The speech mask comes first; F0 (YIN, the costliest frame feature) is then computed on
    the speech frames only, the only ones pooling reads it from.
    """

    def __init__(self, spec: Frames16kSpec) -> None:
        self.spec = spec
        self.input_shapes: InputShapes = {FRAMES_INPUT: (None, spec.n_mels),
                                          FUNCTIONALS_INPUT: (n_functionals(spec),)}
        self._probabilities: ChunkProbabilities | None = None

    @property
    def probabilities(self) -> ChunkProbabilities:
        """The VAD's chunk probabilities (loads the Silero model on first use)."""
        if self._probabilities is None:
            self._probabilities = ChunkProbabilities(self.spec)
        return self._probabilities

    def speech(self, mono: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
        """The buffer at 16 kHz (m,) and its speech mask (n_frames(m),) bool."""
        x = to_model_rate(mono, sample_rate, self.spec)
        return x, detect_speech(x, n_frames(len(x), self.spec), self.spec, self.probabilities)

    def analyse(self, mono: np.ndarray, sample_rate: int) -> tuple[FrameBlock, np.ndarray]:
        """Frame features (n_frames rows) and the speech mask (n_frames,) bool of a buffer; F0 on
        the speech frames (on all frames when there are none)."""
        x, mask = self.speech(mono, sample_rate)
        return compute_frames(x, self.spec, pitch_rows=mask if mask.any() else None), mask

    def features(self, mono: np.ndarray, sample_rate: int) -> ModelInputs:
        """The inputs pooled over the speech frames, or over all frames when the VAD found none
        (no speech check: :meth:`speech_features` is the checked path)."""
        block, mask = self.analyse(mono, sample_rate)
        return pooled_inputs(block, mask if mask.any() else np.ones(len(block), dtype=bool), self.spec)

    def has_speech(self, mono: np.ndarray, sample_rate: int) -> bool:
        """Whether the VAD marks at least ``min_speech_frames`` frames as speech."""
        return has_speech(self.speech(mono, sample_rate)[1], self.spec)

    def speech_features(self, mono: np.ndarray, sample_rate: int) -> ModelInputs | None:
        """The inputs pooled over speech frames when the buffer holds speech, else None. Frame
        features are computed only where pooling reads them: F0 on the speech frames, the rest
        on them and ``delta_n`` frames either side (the MFCC deltas' reach); none without speech."""
        x, mask = self.speech(mono, sample_rate)
        if not has_speech(mask, self.spec):
            return None
        block = compute_frames(x, self.spec, widen(mask, self.spec.delta_n), mask)
        return pooled_inputs(block, mask, self.spec)

    def window_stream(self, stream: StreamSpec, sample_rate: int) -> FrameWindowStream:
        """Window mode for a stream at ``sample_rate`` Hz (:class:`FrameWindowStream`)."""
        return FrameWindowStream(stream, self.spec, sample_rate, self.probabilities)

    def probe_inputs(self) -> ModelInputs:
        """The inputs of :func:`voiced_probe` pooled over all its frames, whatever the VAD says
        (the probe checks the model's shapes and outputs; it needs no speech detector)."""
        block = compute_frames(voiced_probe(self.spec), self.spec)
        return pooled_inputs(block, np.ones(len(block), dtype=bool), self.spec)


class FrameWindowStream:
    """A stream at ``sample_rate`` Hz in, windows of frames pooled over speech out.

    Windows end every ``hop_frames`` frames (``stream.hop`` rounded to whole 10 ms frames) and
    span ``window_frames``; a window is returned when it holds a speech frame, with ``speech``
    when it holds ``min_speech_frames``. A frame's speech flag is known once the VAD chunks
    up to ``speech_pad_frames`` frames after it are decided, so a window is returned that
    much (0.1 s by default) after its end.
    """

    def __init__(self, stream: StreamSpec, spec: Frames16kSpec, sample_rate: int,
                 probabilities: ChunkProbabilities) -> None:
        self.stream, self.spec, self.sample_rate = stream, spec, int(sample_rate)
        self.window_frames = max(1, round(stream.window * spec.sample_rate / spec.hop))
        self.hop_frames = max(1, round(stream.hop * spec.sample_rate / spec.hop))
        self.resampler = StreamResampler(self.sample_rate, spec.sample_rate, spec.resampler)
        self.frames = FrameStream(spec)
        self.probabilities, self.decider = probabilities, SpeechDecider(spec)
        self._received = 0
        self._reset_run(0)

    def _reset_run(self, origin: int) -> None:
        """Start a run of consecutive windows at input sample ``origin``."""
        self._origin = origin / self.sample_rate
        self.resampler.reset()
        self.frames.reset()
        self.probabilities.reset()
        self.decider.reset()
        self._pending: list[np.ndarray] = []
        self._pending_len = 0
        self._rows: list[FrameBlock] = []  # frames from index self._first on
        self._first, self._n_frames = 0, 0
        self._flags = np.zeros(0, dtype=bool)  # VAD decisions from chunk self._chunk0 on
        self._chunk0, self._n_chunks = 0, 0
        self._next_end, self._last_end = self.window_frames, 0

    def _chunk_of(self, frame: np.ndarray | int) -> np.ndarray:
        """The VAD chunk holding each frame's centre."""
        return (np.asarray(frame) * self.spec.hop + self.spec.frame_len // 2) // self.spec.vad_chunk

    def _samples_needed(self, end: int) -> int:
        """16 kHz samples after which the window ending at frame ``end`` can be decided."""
        last = end - 1 + self.spec.speech_pad_frames
        frames = last * self.spec.hop + self.spec.pitch_len - self.spec.pitch_offset
        return max(frames, (int(self._chunk_of(last)) + 1) * self.spec.vad_chunk)

    def push(self, block: np.ndarray) -> list[FeatureWindow]:
        """Add mono samples (n,) at the input rate; return the windows they complete.

        Blocks are queued until the next window can be decided; then the resampler, the frames
        and the VAD run once over all of them.
        """
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        self._pending.append(block)
        self._pending_len += len(block)
        self._received += len(block)
        needed = self.resampler.input_needed(self._samples_needed(self._next_end))
        if self.resampler.received + self._pending_len < needed:
            return []
        self._analyse(self._drain(), final=False)
        return self._windows(final=False)

    def _drain(self) -> np.ndarray:
        """The queued input resampled to 16 kHz."""
        x = np.concatenate(self._pending) if self._pending else np.zeros(0, dtype=np.float32)
        self._pending, self._pending_len = [], 0
        return self.resampler.push(x)

    def _analyse(self, y: np.ndarray, final: bool) -> None:
        """Frames and VAD decisions of 16 kHz samples ``y`` (and of the end, when ``final``)."""
        rows = [self.frames.push(y)] + ([self.frames.flush()] if final else [])
        probs = [self.probabilities.push(y)] + ([self.probabilities.flush()] if final else [])
        decided = self.decider.decide(np.concatenate(probs))
        self._rows += [r for r in rows if len(r)]
        self._n_frames += sum(len(r) for r in rows)
        self._flags = np.concatenate([self._flags, decided])
        self._n_chunks += len(decided)

    def _ready(self, end: int, final: bool) -> bool:
        """Whether the speech flags of frames up to ``end`` (exclusive) are all known."""
        if final:
            return end <= self._n_frames
        last = end - 1 + self.spec.speech_pad_frames
        return last < self._n_frames and int(self._chunk_of(last)) < self._n_chunks

    def _mask(self, begin: int, end: int) -> np.ndarray:
        """Speech flags (end - begin,) of frames ``[begin, end)``, as :func:`~.vad.speech_mask`
        gives them for the whole stream (a frame's chunk flag, widened by ``speech_pad_frames``)."""
        pad = self.spec.speech_pad_frames
        lo, hi = max(0, begin - pad), min(self._n_frames, end + pad)
        chunks = self._chunk_of(np.arange(lo, hi)) - self._chunk0
        inside = chunks < len(self._flags)
        raw = np.zeros(hi - lo, dtype=bool)
        raw[inside] = self._flags[chunks[inside]]
        if pad > 0:
            raw = np.convolve(raw.astype(float), np.ones(2 * pad + 1), mode="same") > 0
        return raw[begin - lo:end - lo]

    def _window(self, begin: int, end: int) -> FeatureWindow | None:
        """The window of frames ``[begin, end)`` when it holds a speech frame, else None."""
        self._last_end = end
        mask = self._mask(begin, end)
        if not mask.any():
            return None
        rows = FrameBlock.concat(self._rows).select(slice(begin - self._first, end - self._first))
        now = self._received / self.sample_rate
        seconds = self.spec.hop / self.spec.sample_rate
        return FeatureWindow(self._origin + begin * seconds, min(self._origin + end * seconds, now), now,
                             pooled_inputs(rows, mask, self.spec), has_speech(mask, self.spec))

    def _windows(self, final: bool) -> list[FeatureWindow]:
        """Every window on the grid that can now be decided; older frames are forgotten."""
        out: list[FeatureWindow] = []
        while self._ready(self._next_end, final):
            window = self._window(self._next_end - self.window_frames, self._next_end)
            out += [window] if window is not None else []
            self._next_end += self.hop_frames
        # the last window (flush) may begin up to a hop before the next one
        reach = self.hop_frames + self.window_frames + self.spec.speech_pad_frames
        self._forget(max(0, self._next_end - reach))
        return out

    def _forget(self, keep: int) -> None:
        """Drop frames before frame ``keep`` and VAD decisions no kept frame needs."""
        if keep > self._first and self._rows:
            rows = FrameBlock.concat(self._rows)
            self._rows = [rows.select(slice(keep - self._first, None))]
            self._first = keep
        chunk = max(0, int(self._chunk_of(keep)) - 1)
        if chunk > self._chunk0:
            self._flags = self._flags[chunk - self._chunk0:]
            self._chunk0 = chunk

    def flush(self) -> list[FeatureWindow]:
        """End of stream: the windows left, and a last one up to the end when speech came
        after the last window."""
        self._analyse(np.concatenate([self._drain(), self.resampler.flush()]), final=True)
        out = self._windows(final=True)
        end = self._n_frames
        if end > self._last_end and self._mask(self._last_end, end).any():
            last = self._window(max(0, end - self.window_frames), end)
            out += [last] if last is not None else []
        return out

    def gap(self, n_samples: int) -> list[FeatureWindow]:
        """Samples were lost: close the run (its last window) and start a new one after the gap."""
        out = self.flush()
        self._received += max(0, n_samples)
        self._reset_run(self._received)
        return out
