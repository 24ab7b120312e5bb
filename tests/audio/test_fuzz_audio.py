"""Property-based fuzzing of the audio reader and the buffer checks (hypothesis).

The property everywhere: either a result (mono float32, finite, rate > 0) or a typed
SerEdgeError with a one-line message naming the input; never another exception, a hang, a
warning leaking to the user. Case counts: ``pytest --hypothesis-show-statistics``.
"""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.io import wavfile

from ser_edge.audio.read import check_audio, decode_pcm, read_audio
from ser_edge.errors import AudioError, MissingExtraError, SerEdgeError

from support.malformed import FLOAT, PCM, Wav, wav_bytes

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DTYPES = ["uint8", "int16", "int32", "int64", "float32", "float64"]
#: Header byte offsets of a canonical WAV: RIFF size, fmt tag, channels, rate, byte rate, block
#: align, bits, data size.
FIELDS = {"riff_size": (4, "<I"), "fmt_tag": (20, "<H"), "channels": (22, "<H"), "rate": (24, "<I"),
          "byte_rate": (28, "<I"), "block_align": (32, "<H"), "bits": (34, "<H"), "data_size": (40, "<I")}
EDGE_VALUES = st.sampled_from([0, 1, 2, 3, 7, 12, 24, 255, 256, 65535, 0x7FFFFFFF, 0xFFFFFFFF, 1_000_000_000])


@pytest.fixture(scope="module")
def wav_path(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "fuzz.wav"


def read_checked(path) -> str:
    """read_audio under the property; returns the outcome for hypothesis' statistics."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            samples, rate = read_audio(path)
        except (AudioError, MissingExtraError) as exc:
            message = str(exc)
            assert message and "\n" not in message and str(path) in message, message
            outcome = f"error: {type(exc).__name__}"
        else:
            assert isinstance(rate, int) and rate > 0
            assert samples.dtype == np.float32 and samples.ndim == 1 and samples.size > 0
            assert np.all(np.isfinite(samples))
            outcome = "read"
    leaked = [str(w.message) for w in caught if not str(w.message).startswith("Chunk (non-data)")]
    assert leaked == [], leaked
    event(outcome)
    return outcome


def pcm_of(dtype: str, frames: int, channels: int, seed: int, scale: float = 1.0) -> np.ndarray:
    """(frames, channels) of ``dtype``: full-scale noise; floats times ``scale``."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (frames, channels))
    if dtype == "uint8":
        return np.round(x * 127 + 128).astype(np.uint8)
    if dtype.startswith("int"):
        return np.round(x * (2.0 ** (8 * np.dtype(dtype).itemsize - 1) - 1)).astype(dtype)
    return (x * scale).astype(dtype)


@FUZZ
@given(content=st.binary(max_size=4096),
       prefix=st.sampled_from([b"", b"RIFF", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"RIFX", b"RF64", b"fLaC",
                               b"OggS", b"ID3", b"\xff\xfb", b"FORM"]))
def test_random_bytes_as_a_file(wav_path, content, prefix):
    wav_path.write_bytes(prefix + content)
    read_checked(wav_path)


@FUZZ
@given(dtype=st.sampled_from(DTYPES), channels=st.integers(1, 8), frames=st.integers(0, 400),
       rate=st.integers(1, 400_000), seed=st.integers(0, 2**16),
       cut=st.one_of(st.none(), st.integers(0, 5000)),
       scale=st.sampled_from([1.0, 1.0, 1e-30, 3e38, 1e300]))
def test_valid_and_truncated_wavs_of_every_dtype(wav_path, dtype, channels, frames, rate, seed, cut, scale):
    data = pcm_of(dtype, frames, channels, seed, scale if dtype != "float32" or scale < 1e39 else 1.0)
    buffer = io.BytesIO()
    wavfile.write(buffer, rate, data if channels > 1 else data[:, 0])
    content = buffer.getvalue()
    wav_path.write_bytes(content if cut is None else content[:cut])
    outcome = read_checked(wav_path)
    if cut is None or cut >= len(content):
        if frames == 0 or (dtype == "float64" and scale > 1e39):
            assert outcome.startswith("error")  # nothing, or values float32 cannot hold
        elif outcome == "read":  # a whole, valid file always reads, at its own rate, to the channel mean
            samples, got = read_audio(wav_path)
            assert got == rate and samples.shape == (frames,)
        else:  # only float data near float32's limit may fail (its channel mean overflows)
            assert dtype.startswith("float") and scale > 1e38


@FUZZ
@given(dtype=st.sampled_from(DTYPES), channels=st.integers(1, 4), frames=st.integers(1, 300),
       field=st.sampled_from(sorted(FIELDS)), value=st.one_of(EDGE_VALUES, st.integers(0, 2**32 - 1)),
       flips=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 255)), max_size=3))
def test_header_fields_that_lie(wav_path, dtype, channels, frames, field, value, flips):
    data = pcm_of(dtype, frames, channels, 0)
    buffer = io.BytesIO()
    wavfile.write(buffer, 16000, data)
    raw = bytearray(buffer.getvalue())
    offset, fmt = FIELDS[field]
    if offset + struct.calcsize(fmt) <= len(raw) and raw[36:40] == b"data":  # canonical layout only
        struct.pack_into(fmt, raw, offset, value % (1 << (8 * struct.calcsize(fmt))))
    for pos, byte in flips:
        raw[pos % len(raw)] = byte
    wav_path.write_bytes(bytes(raw))
    read_checked(wav_path)


@FUZZ
@given(channels=st.integers(0, 70000), rate=st.integers(0, 2**32 - 1), bits=st.integers(0, 70),
       fmt_tag=st.sampled_from([PCM, FLOAT, 2, 6, 7, 0x55, 0xFFFE, 0]), n=st.integers(0, 600),
       block_align=st.one_of(st.none(), st.integers(0, 70000)))
def test_handmade_headers_with_any_channels_rate_bits(wav_path, channels, rate, bits, fmt_tag, n,
                                                      block_align):
    payload = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    wav_path.write_bytes(wav_bytes(Wav(payload, channels=channels, rate=rate, bits=bits, fmt_tag=fmt_tag,
                                       block_align=block_align)))
    read_checked(wav_path)


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(["s16le", "f32le", "s16le", "f32le", "u8", ""]),
       channels=st.one_of(st.integers(1, 8), st.integers(-2, 0)), whole=st.booleans())
def test_raw_pcm_decoding(data, fmt, channels, whole):
    if whole and channels > 0:  # mostly whole frames, sometimes a partial one
        data = data[:len(data) - len(data) % (channels * 4)]
    try:
        x = decode_pcm(data, fmt, channels)
    except AudioError as exc:
        assert "\n" not in str(exc)
        event("error")
        return
    event("decoded")
    width = 2 if fmt == "s16le" else 4
    assert x.dtype == np.float32 and x.ndim == 1 and len(x) * channels * width == len(data)
    if fmt == "s16le":
        assert np.all(np.abs(x) <= 1.0)


ARRAYS = st.one_of(
    st.builds(lambda n, c, d, s: pcm_of(d, n, c, s) if c else pcm_of(d, n, 1, s)[:, 0],
              st.integers(0, 3000), st.integers(0, 4), st.sampled_from(DTYPES), st.integers(0, 99)),
    st.builds(lambda n, v: np.full(n, v), st.integers(0, 3000),
              st.sampled_from([np.nan, np.inf, -np.inf, 1e38, -1e300, 0.0, 5e-324])),
    st.sampled_from([np.zeros((10, 2, 2)), np.array(["a", "b"] * 900), np.ones(2000, dtype=bool),
                     np.ones(2000, dtype=np.complex64), np.ones(2000, dtype=np.uint16), np.array(1.0),
                     np.ones(2000, dtype=object)]),
)


RATES = st.one_of(st.sampled_from([8000, 16000, 22050, 44100, 48000, 192000]), st.integers(8000, 192000),
                  st.integers(-10, 400_000), st.sampled_from([16000.0, 8000.5, None, "16k", np.int16(8000)]))


@FUZZ
@given(samples=ARRAYS, rate=RATES)
def test_caller_buffers(samples, rate):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no numpy warning may reach the user
            mono = check_audio(samples, rate, "buf", 0.01)
    except SerEdgeError as exc:
        assert isinstance(exc, AudioError) and "buf" in str(exc) and "\n" not in str(exc)
        event("error")
        return
    event("accepted")
    assert mono.dtype == np.float32 and mono.ndim == 1 and np.all(np.isfinite(mono))
    assert len(mono) >= 0.01 * rate
