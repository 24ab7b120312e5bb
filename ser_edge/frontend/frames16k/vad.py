"""Speech detection: Silero VAD (the vendored ONNX model) behind a cheap energy pre-gate.

Three parts, each with ``reset()``, as silero-vad's own iterator keeps them apart:

* :class:`~.silero.SileroModel` — the stateful model step: 512-sample 16 kHz chunks -> P(speech).
* :class:`ChunkProbabilities` — cuts any block size into chunks, runs the energy pre-gate
  (RMS above ``vad_gate_db``, held open ``vad_gate_hangover`` chunks) and a gain that puts the
  loudest chunk at ``vad_agc_target_db`` (at most ``vad_agc_max_gain_db``): fixed for a whole
  signal (:func:`detect_speech`), or tracked in a stream (fast attack, decay
  ``vad_agc_decay_db`` per chunk). The model runs only on gated chunks (all of a push in one
  call, as one sequence); others get 0. The gain makes the decision independent of the
  recording level (Silero alone misses quiet speech and some shouting).
* :class:`SpeechDecider` — the decision state machine: onset/offset hysteresis + hangover.

:func:`speech_mask` maps chunk decisions to the feature frame rate; :func:`detect_speech` is
the one-shot path for a whole signal.
"""

from __future__ import annotations

import numpy as np

from ...audio.levels import SILENCE_DB
from .silero import SileroModel
from .spec import Frames16kSpec


def levels_db(chunks: np.ndarray) -> np.ndarray:
    """RMS level of each row of (n, size) in dBFS (``SILENCE_DB`` for digital silence), (n,)."""
    power = np.mean(np.square(chunks, dtype=np.float64), axis=1)
    with np.errstate(divide="ignore"):
        return np.where(power > 0, 10.0 * np.log10(power), SILENCE_DB)


class ChunkProbabilities:
    """Per-chunk P(speech) of a stream of any block size; the model runs only on gated chunks."""

    def __init__(self, spec: Frames16kSpec, model: SileroModel | None = None) -> None:
        self.spec = spec
        self.model = model if model is not None else SileroModel()
        if self.model.chunk != spec.vad_chunk:
            raise ValueError(f"vad_chunk {spec.vad_chunk} != the model's chunk {self.model.chunk}")
        self.calls = 0  # chunks the model has run on (a count of model steps)
        self.reset()

    def reset(self, gain_db: float | None = None) -> None:
        """Forget the remainder, the gate, the gain tracker and the model state.

        ``gain_db``: a fixed gain for the next signal (dB); None tracks the level instead.
        """
        self._gain_db = gain_db
        self._rest = np.zeros(0)
        self._open_for = 0
        self._peak_db = SILENCE_DB
        self.model.reset()

    def _gains_db(self, levels: np.ndarray) -> np.ndarray:
        """The gate and the gain, chunk by chunk: the gain (dB) of each gated chunk, NaN where
        the gate is closed, (n,)."""
        spec, out = self.spec, np.full(len(levels), np.nan)
        for i, level in enumerate(levels.tolist()):
            gated = level > spec.vad_gate_db
            self._open_for = spec.vad_gate_hangover if gated else max(0, self._open_for - 1)
            if self._open_for == 0:
                continue
            self._peak_db = max(level, self._peak_db - spec.vad_agc_decay_db)
            gain_db = self._gain_db
            if gain_db is None:
                gain_db = min(spec.vad_agc_target_db - self._peak_db, spec.vad_agc_max_gain_db)
            out[i] = gain_db
        return out

    def push(self, block: np.ndarray) -> np.ndarray:
        """Add 16 kHz samples; return P(speech) of each chunk now complete, (n_chunks,)."""
        x = np.concatenate([self._rest, np.asarray(block, dtype=np.float64).ravel()])
        size = self.spec.vad_chunk
        count = len(x) // size
        chunks, self._rest = x[:count * size].reshape(count, size), x[count * size:]
        gains = self._gains_db(levels_db(chunks))
        gated = ~np.isnan(gains)
        probs = np.zeros(count)
        if gated.any():
            probs[gated] = self.model.run(chunks[gated] * 10.0 ** (gains[gated, None] / 20.0))
            self.calls += int(np.count_nonzero(gated))
        return probs

    def flush(self) -> np.ndarray:
        """Zero-pad the remainder to one last chunk (if any) and return its probability."""
        if len(self._rest) == 0:
            return np.zeros(0)
        pad = np.zeros(self.spec.vad_chunk - len(self._rest))
        return self.push(pad)


class SpeechDecider:
    """Hysteresis on chunk probabilities: speech starts at ``vad_onset``, ends after
    ``vad_hangover`` chunks below ``vad_offset``."""

    def __init__(self, spec: Frames16kSpec) -> None:
        self.spec = spec
        self.reset()

    def reset(self) -> None:
        """Back to silence."""
        self._speech = False
        self._quiet = 0

    def decide(self, probs: np.ndarray) -> np.ndarray:
        """Speech flag per chunk, (n_chunks,) bool, carrying the state across calls."""
        out = np.zeros(len(probs), dtype=bool)
        for i, p in enumerate(probs):
            if not self._speech and p >= self.spec.vad_onset:
                self._speech, self._quiet = True, 0
            elif self._speech:
                self._quiet = self._quiet + 1 if p < self.spec.vad_offset else 0
                self._speech = self._quiet <= self.spec.vad_hangover
            out[i] = self._speech
        return out


def speech_mask(chunk_speech: np.ndarray, n_frames: int, spec: Frames16kSpec) -> np.ndarray:
    """Chunk decisions -> frame mask (n_frames,) bool: a frame is speech if its centre's chunk is.

    The mask is then widened by ``speech_pad_frames`` on both sides (onsets start before the
    detector is sure). Frames past the last chunk count as non-speech.
    """
    centres = np.arange(n_frames) * spec.hop + spec.frame_len // 2
    idx = centres // spec.vad_chunk
    flags = np.asarray(chunk_speech, dtype=bool)
    picked = flags[np.minimum(idx, max(len(flags) - 1, 0))] if len(flags) else False
    return widen(np.where(idx < len(flags), picked, False), spec.speech_pad_frames)


def widen(mask: np.ndarray, pad: int) -> np.ndarray:
    """A frame mask (n,) bool with every True spread ``pad`` frames to both sides, (n,) bool."""
    mask = np.asarray(mask, dtype=bool)
    if pad <= 0 or not mask.any():
        return mask
    # "full" then the centred n frames: "same" would return len(kernel) values for a short mask
    return np.convolve(mask.astype(float), np.ones(2 * pad + 1), mode="full")[pad:pad + len(mask)] > 0


def whole_chunks(signal: np.ndarray, spec: Frames16kSpec) -> np.ndarray:
    """A signal zero-padded to whole chunks, (count, vad_chunk) float64, at least one chunk."""
    x = np.asarray(signal, dtype=np.float64).ravel()
    count = max(1, int(np.ceil(len(x) / spec.vad_chunk)))
    return np.concatenate([x, np.zeros(count * spec.vad_chunk - len(x))]).reshape(count, spec.vad_chunk)


def signal_gain_db(signal: np.ndarray, spec: Frames16kSpec) -> float:
    """The fixed detector gain of a whole signal: loudest chunk to ``vad_agc_target_db``."""
    loudest = float(levels_db(whole_chunks(signal, spec)).max())
    return float(min(spec.vad_agc_target_db - loudest, spec.vad_agc_max_gain_db))


def detect_speech(signal: np.ndarray, n_frames: int, spec: Frames16kSpec,
                  probabilities: ChunkProbabilities | None = None) -> np.ndarray:
    """One-shot speech mask (n_frames,) of a whole 16 kHz signal (fresh state, fixed gain): the
    model runs once on all gated chunks, the last one zero-padded as :meth:`~ChunkProbabilities.flush`
    pads it."""
    probs_model = probabilities if probabilities is not None else ChunkProbabilities(spec)
    probs_model.reset(signal_gain_db(signal, spec))
    probs = probs_model.push(whole_chunks(signal, spec) if len(signal) else np.zeros(0))
    return speech_mask(SpeechDecider(spec).decide(probs), n_frames, spec)
