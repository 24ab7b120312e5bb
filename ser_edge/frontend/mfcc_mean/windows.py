"""The MFCC-mean frontend's windowed feature stream (window mode): fixed windows every ``hop``
seconds with their features and whether they hold speech.

:class:`VoicedFrames` keeps the energy gate's voiced frames for window decisions;
:class:`WindowFeatureStream` resamples the stream once and lets windows share frames. It is
the MFCC-mean frontend's one window mode (frames16k has its own: :mod:`.frames16k`): every rate
pair and resampler goes this way
(:class:`~ser_edge.audio.resample.StreamResampler` serves them all).

``listen --mode window`` classifies a ``window``-second window every ``hop`` seconds. Done
naively, each window is resampled and analysed from scratch (3 s of audio per 1 s hop). Here
the stream goes once through :class:`~ser_edge.audio.resample.StreamResampler` and
:class:`~ser_edge.frontend.mfcc_mean.incremental.IncrementalMfcc` (each STFT frame computed once),
so a hop costs about a hop of work. Each window's features equal ``mfcc_mean(w - w.mean())`` of its samples
``w`` in the resampled stream (the window's DC offset removed, as for utterances).

Windows start on the model's frame grid: the hop is a whole number of ``hop_length`` samples
at the model rate (1 s -> 43 x 512 samples = 0.9985 s at 22050 Hz). A window has speech
(``FeatureWindow.speech``, so it is classified) when it holds ``min_speech`` seconds of voiced gate frames
(the same :class:`~ser_edge.segment.gate.EnergyGate` as utterance mode, run on the resampled
stream) and passes :func:`~ser_edge.frontend.mfcc_mean.activity.has_speech` (on the window's samples at
the model rate, DC removed); windows without voiced frames are not returned at all.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from ...audio.resample import StreamResampler
from ...config import StreamSpec
from ...segment.gate import FramedGate
from ..protocol import FeatureWindow
from .activity import ActivitySpec, has_speech
from .incremental import IncrementalMfcc
from .mfcc import INPUT_NAME, mfcc_mean
from .spec import MfccMeanSpec


class VoicedFrames(FramedGate[None]):
    """The gate's voiced frames, kept for window decisions. Emits nothing itself."""

    def reset(self, position: int = 0, keep_floor: bool = False) -> None:
        super().reset(position, keep_floor)
        self._voiced: deque[int] = deque()  # start positions of voiced frames still in reach

    def _frame(self, pos: int, start: bool, stop: bool) -> list[None]:
        if stop:
            self._voiced.append(pos)
        return []

    def _keep_from(self) -> int:
        return self._framed - 2 * self._seconds(self.spec.window)

    def flush(self) -> list[None]:
        return []

    def voiced_samples(self, begin: int, end: int) -> int:
        """Samples of voiced frames lying inside ``[begin, end)``; forgets frames before ``begin``."""
        while self._voiced and self._voiced[0] < begin:
            self._voiced.popleft()
        inside = sum(1 for pos in self._voiced if pos + self.gate.frame_len <= end)
        return inside * self.gate.frame_len

    def voiced_after(self, position: int) -> bool:
        """Whether a voiced frame starts at or after ``position``."""
        return bool(self._voiced) and self._voiced[-1] >= position


class WindowFeatureStream:
    """Stream at ``sample_rate`` Hz in, gated windows with their features out.

    Everything after the resampler runs at the model rate: the energy gate, the speech check
    and the features see the samples the model's features are computed from.
    """

    def __init__(self, spec: StreamSpec, frontend: MfccMeanSpec, sample_rate: int,
                 activity: ActivitySpec | None = None) -> None:
        self.spec, self.frontend, self.sample_rate = spec, frontend, int(sample_rate)
        self.rate = frontend.sample_rate  # the model rate, where windows are cut
        self.activity = activity or ActivitySpec()
        self.gate = VoicedFrames(spec, self.rate)
        self.resampler = StreamResampler(self.sample_rate, self.rate, frontend.resampler)
        self.mfcc = IncrementalMfcc(frontend, spec.window, spec.hop, remove_dc=True)
        self._received = 0  # input samples pushed (over all runs)
        self._reset_run(0)

    def _reset_run(self, origin: int) -> None:
        """Start a run of consecutive windows at input sample ``origin``."""
        self._origin = origin / self.sample_rate  # stream seconds of the run's first sample
        self._pending: list[np.ndarray] = []      # input blocks not yet analysed
        self._pending_len = 0
        self._last_end = 0                        # model-rate end of the last window looked at
        self.gate.reset(0, keep_floor=True)
        self.resampler.reset()
        self.mfcc.reset()

    def push(self, block: np.ndarray) -> list[FeatureWindow]:
        """Add mono samples (n,) at the input rate; return the gated windows they complete.

        Blocks are only queued until the next window is complete; then the resampler, the
        gate and the features run once over all of them (no per-block overhead).
        """
        block = np.asarray(block, dtype=np.float32).reshape(-1)
        self._pending.append(block)
        self._pending_len += len(block)
        self._received += len(block)
        if self.resampler.received + self._pending_len < self.resampler.input_needed(self.mfcc.next_end):
            return []
        return self._drain()

    def _drain(self) -> list[FeatureWindow]:
        """Run the queued input through the resampler, the gate and the features."""
        if not self._pending:
            return []
        x = np.concatenate(self._pending)
        self._pending, self._pending_len = [], 0
        y = self.resampler.push(x)
        out: list[FeatureWindow] = []
        # in steps of at most a hop (and a window), so that each window is decided while the
        # gate still holds its samples (a long buffer pushed at once: a whole-file timeline)
        step = min(self.mfcc.hop_samples, self.mfcc.window_samples)
        for a in range(0, len(y), step):
            self.gate.push(y[a:a + step])
            for w in self.mfcc.push(y[a:a + step]):
                window = self._window(w.start, w.end, w.features)
                out += [window] if window is not None else []
        return out

    def _window(self, begin: int, end: int, features: np.ndarray | None) -> FeatureWindow | None:
        """The window of model-rate samples ``[begin, end)`` of the run, if it passes the gate."""
        self._last_end = end
        if self.gate.voiced_samples(begin, end) < round(self.spec.min_speech * self.rate):
            return None
        samples = self.gate.buffer.slice(begin, end)
        speech = bool(len(samples)) and has_speech(samples - samples.mean(), self.rate, self.activity)
        now = self._received / self.sample_rate  # the resampled stream can end up to 1/rate later
        inputs = None if features is None else {INPUT_NAME: features}
        return FeatureWindow(self._origin + begin / self.rate, min(self._origin + end / self.rate, now),
                             now, inputs, speech)

    def flush(self) -> list[FeatureWindow]:
        """End of stream: the last window (up to the end), when speech came after the last one."""
        out = self._drain()
        self.gate.push(self.resampler.flush())
        if not self.gate.voiced_after(self._last_end):
            return out
        end = self.gate.buffer.end
        begin = max(0, end - self.mfcc.window_samples)
        samples = self.gate.buffer.slice(begin, end).astype(np.float64)
        features = None
        if len(samples) >= self.frontend.n_fft:  # at least one whole STFT frame
            features = mfcc_mean(samples - samples.mean(), self.frontend)
        last = self._window(begin, end, features)
        return out + ([last] if last is not None else [])

    def gap(self, n_samples: int) -> list[FeatureWindow]:
        """Samples were lost: close the run (its last window) and start a new one after the gap."""
        out = self.flush()
        self._received += max(0, n_samples)
        self._reset_run(self._received)
        return out
