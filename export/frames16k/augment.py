"""Audio-level augmentation at 16 kHz: gain, additive noise, band limits, speed, reverberation,
vocal-tract-length warping, microphone colouration and codecs, noise of random colour, simulated
rooms, babble of real speech; and two held-out test conditions.

Each named variant is a deterministic function of (signal, rng); ``VARIANTS`` lists what the
feature cache computes per clip (``babble`` also takes the speaker's other recordings, which the
extraction hands it; new variants go last, so the older ones keep their random streams). Speed
changes the time axis: :func:`time_scale` says by how much, so the clean clip's speech mask can
be mapped onto the variant.

The ``test_*`` variants are conditions no recipe trains on (``TEST_VARIANTS``): babble-like
noise at 10 dB SNR (synthetic: band-passed noise under syllable-rate envelopes; neither the
stationary noises of ``noise``/``colour`` nor the real voices of ``babble``) and rooms of RT60
0.6 s simulated by the image-source method (pyroomacoustics shoeboxes of the held-out bank;
``reverb`` uses exponentially decaying noise and ``rooms`` the other, training bank).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.signal import butter, fftconvolve, istft, lfilter, resample_poly, sosfilt, sosfiltfilt, stft

from .rooms import heldout_room_rir, training_room_rir

SR = 16000
GAIN_RANGE_DB = 20.0
SNRS_DB = (5.0, 10.0, 20.0, 30.0)
TELEPHONE_BAND_HZ = (300.0, 3400.0)
BAND_ORDER = 6
SPEEDS = (0.9, 1.1)
SPEED_DEN = 10
RT60_RANGE_S = (0.2, 0.7)
RIR_LENGTH_S = 0.5
ACTIVE_QUANTILE = 50.0
VTLP_RANGE = (0.88, 1.12)  # frequency-axis warp factors (vocal tract length perturbation)
VTLP_NFFT = 512
VTLP_BOUNDARY_HZ = 4800.0  # warp is linear up to here (x alpha), then joins Nyquist to Nyquist
MIC_HIGHPASS_HZ = (60.0, 250.0)  # a small microphone's low cut
MIC_PEAKS = 3  # random peaking filters
MIC_PEAK_DB = 8.0
MIC_PEAK_HZ = (200.0, 6000.0)
MULAW_MU = 255.0  # G.711 companding, 8 bits
MULAW_PROB = 0.5
COLOUR_BETA = (0.0, 2.0)
COLOUR_SNR_DB = (0.0, 20.0)
BABBLE_TALKERS = (3, 6)  # voices overlapped in the training babble
BABBLE_SNR_DB = (5.0, 20.0)
BABBLE_TALKER_DB = 3.0  # each voice's level, +- around the others
TRIM_BELOW_PEAK_DB = 30.0  # a talker's leading/trailing frames this far under its loudest are cut
TEST_SNR_DB = 10.0
BABBLE_BAND_HZ = (300.0, 3000.0)
BABBLE_RATE_HZ = (2.0, 8.0)
_FLOOR = 1e-12


def gain(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random gain, uniform in +-GAIN_RANGE_DB (no clipping: features are float)."""
    return x * 10.0 ** (rng.uniform(-GAIN_RANGE_DB, GAIN_RANGE_DB) / 20.0)


def active_power(x: np.ndarray, frame: int = 400) -> float:
    """Mean power of the louder half of 25 ms frames (the speech, not the silence)."""
    n = len(x) // frame
    if n == 0:
        return float(np.mean(x**2) + _FLOOR)
    power = np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)
    return float(power[power >= np.percentile(power, ACTIVE_QUANTILE)].mean() + _FLOOR)


def add_noise(x: np.ndarray, rng: np.random.Generator, snr_db: float | None = None) -> np.ndarray:
    """White or brown-ish (integrated) noise at an SNR from SNRS_DB relative to the active power."""
    snr = rng.choice(SNRS_DB) if snr_db is None else snr_db
    noise = rng.standard_normal(len(x))
    if rng.random() < 0.5:
        noise = np.cumsum(noise)
        noise -= np.convolve(noise, np.ones(SR // 100) / (SR // 100), mode="same")
    return mix_at_snr(x, noise, snr)


def mix_at_snr(x: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``x`` plus ``noise`` (same length) scaled to ``snr_db`` below the active power of ``x``."""
    return x + noise * np.sqrt(active_power(x) / 10.0 ** (snr_db / 10.0) / (np.mean(noise**2) + _FLOOR))


def band8k(x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Through an 8 kHz sample rate and back (4 kHz bandwidth), same length."""
    return resample_poly(resample_poly(x, 1, 2), 2, 1)[: len(x)]


def telephone(x: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Telephone band: 300-3400 Hz band-pass after the 8 kHz round trip."""
    sos = butter(BAND_ORDER, TELEPHONE_BAND_HZ, btype="bandpass", fs=SR, output="sos")
    return sosfiltfilt(sos, band8k(x))


def speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Speed (tempo and pitch) by ``factor`` via resampling: length / factor."""
    num = int(round(SPEED_DEN * factor))
    return resample_poly(x, SPEED_DEN, num)


def reverb(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Convolution with an exponentially decaying noise impulse response (RT60 from RT60_RANGE_S)."""
    rt60 = rng.uniform(*RT60_RANGE_S)
    t = np.arange(int(RIR_LENGTH_S * SR)) / SR
    rir = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    rir[0] = 1.0
    wet = fftconvolve(x, rir)[: len(x)]
    return wet * np.sqrt(active_power(x) / active_power(wet))


def vtlp(x: np.ndarray, rng: np.random.Generator, alpha: float | None = None) -> np.ndarray:
    """Vocal tract length perturbation in the audio: the STFT frequency axis warped by ``alpha``
    (piecewise linear, Jaitly & Hinton 2013; magnitudes interpolated, each bin's phase taken
    from its source bin), same length.
    Formants and harmonics move together, the tempo does not (unlike :func:`speed`)."""
    a = rng.uniform(*VTLP_RANGE) if alpha is None else alpha
    _, _, z = stft(x, fs=SR, nperseg=VTLP_NFFT, noverlap=VTLP_NFFT * 3 // 4)
    freqs = np.linspace(0.0, SR / 2, z.shape[0])
    nyq, fb = SR / 2, VTLP_BOUNDARY_HZ * min(a, 1.0)
    # output bin f takes the input at f / a below the boundary (inverse of the warp)
    src = np.where(
        freqs <= fb * a,
        freqs / a,
        fb + (freqs - fb * a) * (nyq - fb) / max(nyq - fb * a, 1.0),
    )
    mag = np.abs(z)
    warped = np.stack([np.interp(src, freqs, mag[:, t]) for t in range(mag.shape[1])], axis=1)
    phase = _warped_phase(z, src / freqs[1], freqs / np.maximum(src, 1e-9))
    _, y = istft(warped * np.exp(1j * phase), fs=SR, nperseg=VTLP_NFFT, noverlap=VTLP_NFFT * 3 // 4)
    y = np.pad(y, (0, max(0, len(x) - len(y))))[: len(x)]
    return y * np.sqrt(active_power(x) / active_power(y))


def _warped_phase(z: np.ndarray, src_bin: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Phase-vocoder phases (bins, frames) for output bins fed by (fractional) ``src_bin``: the
    source bin's instantaneous frequency times the warp ``ratio``, integrated over the hops."""
    hop = VTLP_NFFT // 4
    k = np.clip(np.round(src_bin).astype(int), 0, z.shape[0] - 1)
    omega = 2 * np.pi * np.arange(z.shape[0]) / VTLP_NFFT  # rad / sample of each bin
    phi = np.angle(z)
    dev = np.diff(phi, axis=1) - omega[:, None] * hop
    dev = (dev + np.pi) % (2 * np.pi) - np.pi
    inst = omega[:, None] + dev / hop  # (bins, frames - 1) rad / sample
    steps = inst[k] * ratio[:, None] * hop
    return np.concatenate([phi[k, :1], phi[k, :1] + np.cumsum(steps, axis=1)], axis=1)


def _peaking(f0: float, gain_db: float, q: float) -> tuple[np.ndarray, np.ndarray]:
    """RBJ cookbook peaking-EQ biquad (b, a) at ``f0`` Hz."""
    amp, w0 = 10.0 ** (gain_db / 40.0), 2 * np.pi * f0 / SR
    alpha = np.sin(w0) / (2 * q)
    b = np.array([1 + alpha * amp, -2 * np.cos(w0), 1 - alpha * amp])
    a = np.array([1 + alpha / amp, -2 * np.cos(w0), 1 - alpha / amp])
    return b / a[0], a / a[0]


def mulaw(x: np.ndarray, mu: float = MULAW_MU) -> np.ndarray:
    """An 8-bit mu-law (G.711) round trip at the signal's own peak scale."""
    peak = float(np.max(np.abs(x))) + _FLOOR
    y = np.sign(x) * np.log1p(mu * np.abs(x / peak)) / np.log1p(mu)
    y = np.round(y * 127.0) / 127.0
    return peak * np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu


def microphone(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A cheap microphone and channel: a random low cut, ``MIC_PEAKS`` random +-8 dB resonances
    and, half the time, an 8-bit mu-law codec."""
    y = sosfilt(butter(2, rng.uniform(*MIC_HIGHPASS_HZ), btype="highpass", fs=SR, output="sos"), x)
    for _ in range(MIC_PEAKS):
        f0 = float(np.exp(rng.uniform(*np.log(MIC_PEAK_HZ))))
        b, a = _peaking(f0, rng.uniform(-MIC_PEAK_DB, MIC_PEAK_DB), rng.uniform(0.7, 2.5))
        y = lfilter(b, a, y)
    if rng.random() < MULAW_PROB:
        y = mulaw(y)
    return y


def coloured_noise(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stationary noise of a random colour (spectral slope 1/f^beta, beta in COLOUR_BETA: white to
    brown) through a random resonance, at an SNR in COLOUR_SNR_DB (active power)."""
    n = len(x)
    freqs = np.fft.rfftfreq(n, 1 / SR)
    shape = np.maximum(freqs, 20.0) ** (-rng.uniform(*COLOUR_BETA) / 2)
    noise = np.fft.irfft(shape * np.fft.rfft(rng.standard_normal(n)), n)
    b, a = _peaking(float(np.exp(rng.uniform(*np.log(MIC_PEAK_HZ)))), rng.uniform(-12.0, 12.0), 1.0)
    noise = lfilter(b, a, noise)
    snr = rng.uniform(*COLOUR_SNR_DB)
    return mix_at_snr(x, noise, snr)


def _convolve_room(x: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """``x`` through ``rir``, same length and active power."""
    wet = fftconvolve(x, rir)[: len(x)]
    return wet * np.sqrt(active_power(x) / active_power(wet))


def simulated_room(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random room of the training bank (:func:`.rooms.training_room_bank`: image-source
    shoeboxes of RT60 0.2-1.0 s, none of them a held-out room), same length and active power."""
    return _convolve_room(x, training_room_rir(int(rng.integers(1 << 30))))


def trim_silence(x: np.ndarray, frame: int = 400) -> np.ndarray:
    """``x`` without the leading and trailing 25 ms frames TRIM_BELOW_PEAK_DB under its loudest."""
    n = len(x) // frame
    if n == 0:
        return x
    power = np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1)
    loud = np.flatnonzero(power >= power.max() * 10.0 ** (-TRIM_BELOW_PEAK_DB / 10.0))
    return x[loud[0] * frame : (loud[-1] + 1) * frame]


def speech_babble(x: np.ndarray, rng: np.random.Generator, talkers: Sequence[np.ndarray] = ()) -> np.ndarray:
    """Babble of real speech at an SNR in BABBLE_SNR_DB (active power): 3-6 overlapping voices,
    each a random stretch of one of ``talkers`` (recordings at 16 kHz, looped, silences trimmed;
    reused at other offsets when there are fewer) at its own level within +-BABBLE_TALKER_DB.
    Without ``talkers`` the voices are stretches of ``x`` itself. Same length as ``x``."""
    sources = [t for t in (trim_silence(np.asarray(t, dtype=np.float64)) for t in talkers) if len(t)]
    sources = sources or [trim_silence(x)]
    n, noise = len(x), np.zeros(len(x))
    for k in range(int(rng.integers(BABBLE_TALKERS[0], BABBLE_TALKERS[1] + 1))):
        voice = sources[k % len(sources)]
        looped = np.tile(voice, n // len(voice) + 2)
        start = int(rng.integers(len(voice)))
        stretch = looped[start : start + n]
        noise += stretch * 10.0 ** (rng.uniform(-BABBLE_TALKER_DB, BABBLE_TALKER_DB) / 20.0) / np.sqrt(
            active_power(stretch))
    return mix_at_snr(x, noise, rng.uniform(*BABBLE_SNR_DB))


def babble_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Babble-like noise: speech-band noise (band-passed) whose level follows a random
    syllable-rate envelope; (n,) at unit-ish power."""
    band = butter(2, BABBLE_BAND_HZ, btype="bandpass", fs=SR, output="sos")
    noise = sosfilt(band, rng.standard_normal(n))
    t = np.arange(n) / SR
    env = np.ones(n)
    for _ in range(4):  # four "talkers"
        rate = rng.uniform(*BABBLE_RATE_HZ)
        env += 0.5 * (1 + np.sin(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi)))
    return noise * env


def heldout_noise(x: np.ndarray, rng: np.random.Generator, snr_db: float = TEST_SNR_DB) -> np.ndarray:
    """Held-out condition: babble-like noise at ``snr_db`` relative to the active speech power."""
    return mix_at_snr(x, babble_noise(len(x), rng), snr_db)


def heldout_room(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Held-out condition: convolution with a simulated room of RT60 0.6 s (:mod:`.rooms`),
    same length and active power."""
    return _convolve_room(x, heldout_room_rir(int(rng.integers(1 << 30))))


def _speed_variant(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return gain(speed(x, SPEEDS[int(rng.integers(len(SPEEDS)))]), rng)


VARIANTS: dict[str, Callable[[np.ndarray, np.random.Generator], np.ndarray]] = {
    "clean": lambda x, rng: x,
    "band8k": band8k,
    "noise": lambda x, rng: gain(add_noise(x, rng), rng),
    "telephone": lambda x, rng: gain(add_noise(telephone(x), rng, SNRS_DB[-1]), rng),
    "speed": _speed_variant,
    "reverb": lambda x, rng: gain(reverb(x, rng), rng),
    "vtlp": lambda x, rng: gain(vtlp(x, rng), rng),
    "mic": lambda x, rng: gain(microphone(x, rng), rng),
    "colour": lambda x, rng: gain(coloured_noise(x, rng), rng),
    "test_noise10": heldout_noise,
    "test_room06": heldout_room,
    "rooms": lambda x, rng: gain(simulated_room(x, rng), rng),
    "babble": lambda x, rng, talkers=(): gain(speech_babble(x, rng, talkers), rng),
}
#: Variants that take the speaker's other recordings (``talkers=``) besides (signal, rng).
TALKER_VARIANTS = ("babble",)
#: Conditions only ever scored, never trained on.
TEST_VARIANTS = ("test_noise10", "test_room06")


def time_scale(n_in: int, n_out: int) -> float:
    """Output frames per input frame of a variant (1 unless its length changed)."""
    return n_out / max(n_in, 1)
