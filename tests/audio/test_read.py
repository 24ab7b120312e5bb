"""frontend.audio: every WAV flavour reads like librosa/soundfile would; every bad input is an AudioError."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile

from ser_edge.audio.read import (
    as_mono_float32,
    check_audio,
    decode_pcm,
    pcm_frame_bytes,
    read_audio,
    to_mono,
)
from ser_edge.errors import AudioError, MissingExtraError

RNG = np.random.default_rng(1234)


def _tone(n: int, channels: int) -> np.ndarray:
    """(n, channels) float64 in [-0.9, 0.9]: a different sine per channel plus a little noise."""
    t = np.arange(n)[:, None]
    freqs = 0.01 * (1 + np.arange(channels))[None, :]
    return 0.8 * np.sin(2 * np.pi * freqs * t) + 0.1 * RNG.uniform(-1, 1, (n, channels))


def _as_dtype(x: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "uint8":
        return np.clip(np.round(x * 128 + 128), 0, 255).astype(np.uint8)
    if dtype in ("int16", "int32"):
        scale = 2.0 ** (8 * np.dtype(dtype).itemsize - 1)
        return np.round(x * (scale - 1)).astype(dtype)
    return x.astype(dtype)


def _expected_mono(data: np.ndarray) -> np.ndarray:
    """What librosa.load(sr=None) gives: soundfile's float32 read, channel mean in float32."""
    return data if data.ndim == 1 else np.mean(data.T, axis=0)


@pytest.mark.parametrize("dtype", ["uint8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_wav_dtypes_and_channels_match_soundfile(tmp_path: Path, dtype: str, channels: int) -> None:
    sf = pytest.importorskip("soundfile")
    path = tmp_path / f"x_{dtype}_{channels}.wav"
    data = _as_dtype(_tone(1000, channels), dtype)
    wavfile.write(path, 16000, data if channels > 1 else data[:, 0])
    samples, rate = read_audio(path)
    ref, ref_rate = sf.read(str(path), dtype="float32", always_2d=True)
    assert rate == ref_rate == 16000
    assert samples.dtype == np.float32 and samples.shape == (1000,)
    np.testing.assert_array_equal(samples, _expected_mono(ref))


@pytest.mark.parametrize("subtype", ["PCM_24", "PCM_16", "FLOAT"])
@pytest.mark.parametrize("channels", [1, 3])
def test_soundfile_written_wav_incl_24bit_and_extensible(tmp_path: Path, subtype: str, channels: int) -> None:
    sf = pytest.importorskip("soundfile")
    path = tmp_path / "x.wav"
    sf.write(str(path), _tone(777, channels), 44100, subtype=subtype)  # >2 ch: WAVE_FORMAT_EXTENSIBLE
    samples, rate = read_audio(path)
    ref, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert rate == 44100
    np.testing.assert_array_equal(samples, _expected_mono(ref))
    if subtype == "PCM_24":
        assert wavfile.read(path)[1].dtype == np.int32  # scipy gives 24-bit left-justified in int32


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000, 96000, 192000])
def test_any_rate(tmp_path: Path, rate: int) -> None:
    path = tmp_path / "r.wav"
    wavfile.write(path, rate, np.zeros(rate // 10, dtype=np.int16) + 1000)
    samples, got = read_audio(path)
    assert got == rate and len(samples) == rate // 10
    assert samples[0] == np.float32(1000 / 32768)


def test_int_scaling_exact_extremes(tmp_path: Path) -> None:
    path = tmp_path / "e.wav"
    wavfile.write(path, 8000, np.array([-32768, 0, 16384, 32767], dtype=np.int16))
    samples, _ = read_audio(path)
    np.testing.assert_array_equal(samples, np.array([-1.0, 0.0, 0.5, 32767 / 32768], dtype=np.float32))
    wavfile.write(path, 8000, np.array([0, 128, 255], dtype=np.uint8))
    np.testing.assert_array_equal(read_audio(path)[0], np.array([-1.0, 0.0, 127 / 128], dtype=np.float32))


def test_flac_through_soundfile(tmp_path: Path) -> None:
    sf = pytest.importorskip("soundfile")
    path = tmp_path / "x.flac"
    sf.write(str(path), _tone(2000, 2), 24414, subtype="PCM_16")
    samples, rate = read_audio(path)
    ref, _ = sf.read(str(path), dtype="float32", always_2d=True)
    assert rate == 24414
    np.testing.assert_array_equal(samples, _expected_mono(ref))


def test_flac_without_soundfile_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # soundfile is a dependency: an install that lost it (or libsndfile) says so; WAV still reads
    path = tmp_path / "x.flac"
    path.write_bytes(b"fLaC" + bytes(100))
    monkeypatch.setitem(sys.modules, "soundfile", None)
    with pytest.raises(AudioError, match="pip install soundfile") as info:
        read_audio(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not audio")
    with pytest.raises(AudioError, match="not an audio file"):
        read_audio(text)
    wav = tmp_path / "x.wav"
    wavfile.write(wav, 8000, np.zeros(800, dtype=np.int16))
    assert read_audio(wav)[0].shape == (800,)


def _wav_bytes(tmp_path: Path, data: np.ndarray, rate: int = 16000) -> bytes:
    path = tmp_path / "src.wav"
    wavfile.write(path, rate, data)
    return path.read_bytes()


def _bad(tmp_path: Path, content: bytes | None, match: str, name: str = "bad.wav") -> str:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no scipy/soundfile warning may escape
        with pytest.raises(AudioError, match=match) as info:
            read_audio(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


def test_bad_files(tmp_path: Path) -> None:
    good = _wav_bytes(tmp_path, (_tone(400, 2) * 20000).astype(np.int16))
    _bad(tmp_path, None, "no such file", "missing.wav")
    (tmp_path / "adir.wav").mkdir()
    _bad(tmp_path, None, "directory", "adir.wav")
    _bad(tmp_path, b"", "empty file", "empty.wav")
    _bad(tmp_path, b"just some text, no audio at all" * 4, "not", "text.wav")
    _bad(tmp_path, good[:len(good) // 2 + 1], "truncated", "cut_odd.wav")
    _bad(tmp_path, good[:44 + 4 * 100], "truncated", "cut_frame.wav")
    _bad(tmp_path, good[:30], "corrupt or truncated", "header.wav")
    _bad(tmp_path, _wav_bytes(tmp_path, np.zeros(0, dtype=np.int16)), "no audio samples", "zero.wav")
    _bad(tmp_path, good[:8] + b"AVI " + good[12:], "not WAVE", "avi.wav")


def test_nan_inf_counted(tmp_path: Path) -> None:
    data = np.linspace(-0.5, 0.5, 100).astype(np.float32)
    data[[3, 10, 50]] = [np.nan, np.inf, -np.inf]
    message = _bad(tmp_path, _wav_bytes(tmp_path, data), "NaN or infinite", "nan.wav")
    assert "3 of 100" in message


def test_unsupported_wav_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sf = pytest.importorskip("soundfile")
    path = tmp_path / "mulaw.wav"
    sf.write(str(path), _tone(500, 1)[:, 0], 8000, subtype="ULAW")
    samples, rate = read_audio(path)  # scipy cannot, soundfile can
    assert rate == 8000
    np.testing.assert_array_equal(samples, sf.read(str(path), dtype="float32")[0])
    monkeypatch.setitem(sys.modules, "soundfile", None)
    with pytest.raises(AudioError, match="unsupported WAV encoding.*pip install soundfile"):
        read_audio(path)


def test_fuzzed_wavs_never_leak_other_exceptions(tmp_path: Path) -> None:
    good = _wav_bytes(tmp_path, (_tone(60, 3) * 20000).astype(np.int16))
    rng = np.random.default_rng(7)
    variants = [good[:i] for i in range(1, len(good), 3)]
    for _ in range(300):
        buf = bytearray(good)
        for pos in rng.integers(0, 60, rng.integers(1, 4)):
            buf[pos] = rng.integers(0, 256)
        variants.append(bytes(buf))
    path = tmp_path / "fuzz.wav"
    outcomes = {"ok": 0, "error": 0}
    for content in variants:
        path.write_bytes(content)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                samples, rate = read_audio(path)
                assert rate > 0
            except (AudioError, MissingExtraError):
                outcomes["error"] += 1
                continue
        assert samples.dtype == np.float32 and samples.ndim == 1 and np.all(np.isfinite(samples))
        outcomes["ok"] += 1
    assert outcomes["error"] > 50 and outcomes["ok"] > 0


def test_to_mono() -> None:
    x = np.array([[1.0, 3.0], [-1.0, 0.0]], dtype=np.float64)
    out = to_mono(x)
    assert out.dtype == np.float32 and out.tolist() == [2.0, -0.5]
    assert to_mono(np.arange(3.0)).dtype == np.float32
    with pytest.raises(AudioError):
        to_mono(np.zeros((2, 2, 2)))


def test_decode_pcm() -> None:
    assert pcm_frame_bytes("s16le", 2) == 4 and pcm_frame_bytes("f32le", 1) == 4
    s16 = np.array([[16384, -16384], [32767, 32767]], dtype="<i2").tobytes()
    np.testing.assert_array_equal(decode_pcm(s16, "s16le", 2), np.array([0.0, 32767 / 32768], np.float32))
    f32 = np.array([0.25, -0.5, 1.0], dtype="<f4").tobytes()
    np.testing.assert_array_equal(decode_pcm(f32, "f32le", 1), np.array([0.25, -0.5, 1.0], np.float32))
    assert decode_pcm(b"", "s16le", 1).shape == (0,)
    with pytest.raises(AudioError, match="whole number"):
        decode_pcm(s16[:-1], "s16le", 2)
    with pytest.raises(AudioError, match="s16le"):
        pcm_frame_bytes("mp3", 1)
    with pytest.raises(AudioError, match="channels"):
        pcm_frame_bytes("s16le", 0)


def test_check_audio() -> None:
    sr = 16000
    mono = check_audio(np.full((sr, 2), 0.5), sr, "buf", 0.5)
    assert mono.dtype == np.float32 and mono.shape == (sr,) and mono[0] == 0.5
    ints = check_audio(np.full(sr, 16384, dtype=np.int16), sr, "buf", 0.5)
    assert ints[0] == 0.5
    cases = [
        (np.zeros(100), sr, "too short"),
        (np.zeros(0), sr, "no audio samples"),
        (np.zeros((10, 2, 2)), sr, "shape"),
        (np.zeros(sr), 4000, "8000..192000"),
        (np.zeros(sr), 16000.5, "integer"),
        (np.array([np.nan] * sr), sr, f"{sr} of {sr} samples are NaN"),
        (np.array(["a"] * 10), sr, "dtype"),
        (np.zeros(sr, dtype=np.uint16), sr, "unsupported sample type"),
    ]
    for samples, rate, match in cases:
        with pytest.raises(AudioError, match=match) as info:
            check_audio(samples, rate, "mybuffer", 0.5)
        assert "mybuffer" in str(info.value)


def test_as_mono_float32_scales_every_integer_type_by_its_range() -> None:
    x = np.array([0.5, -0.25, 0.0])
    for dtype, scale in (("int8", 2**7), ("int16", 2**15), ("int32", 2**31)):
        ints = (x * scale).astype(dtype)
        np.testing.assert_array_equal(as_mono_float32(ints, "buf"), x.astype(np.float32))
    assert as_mono_float32(np.array([192, 64], dtype=np.uint8), "buf").tolist() == [0.5, -0.5]


@pytest.mark.parametrize("dtype", ["int64", "uint16", "uint32", "uint64"])
def test_as_mono_float32_refuses_ambiguous_integer_types(dtype: str) -> None:
    # int64 used to be divided by 2**63: speech in int16 values came out as silence.
    with pytest.raises(AudioError, match=f"mybuf: unsupported sample type {dtype}.*int16, int32"):
        as_mono_float32(np.full(1000, 16384, dtype=dtype), "mybuf")
    with pytest.raises(AudioError, match="astype"):
        as_mono_float32(np.full(1000, 16384, dtype=np.int64), "mybuf")


def test_as_mono_float32_accepts_channels_first_when_unambiguous() -> None:
    frames_first = np.stack([np.full(1000, 0.5), np.full(1000, -0.25)], axis=1)  # (1000, 2)
    expected = np.full(1000, 0.125, dtype=np.float32)
    np.testing.assert_array_equal(as_mono_float32(frames_first, "buf"), expected)
    np.testing.assert_array_equal(as_mono_float32(frames_first.T, "buf"), expected)  # librosa's layout
    assert as_mono_float32(np.zeros((0, 2)), "buf").shape == (0,)
    for shape in ((1000, 1000), (20, 1000), (1000, 9)):
        with pytest.raises(AudioError, match=r"buf: expected shape .*\(channels, frames\).*ambiguous"):
            as_mono_float32(np.zeros(shape), "buf")


def test_as_mono_float32_float_range(caplog: pytest.LogCaptureFixture) -> None:
    int16_hint = "reach 16384.*looks like int16 samples in a float array; divide by 32768"
    with pytest.raises(AudioError, match=int16_hint):
        as_mono_float32(np.full(1000, 16384.0), "loud")
    with pytest.raises(AudioError, match="looks like int32"):
        as_mono_float32(np.full(1000, 2.0**30), "loud")
    with caplog.at_level("WARNING", logger="ser_edge"):
        for _ in range(3):  # once per name, not once per block
            out = as_mono_float32(np.full(1000, 1.5), "hot.wav")
    assert out[0] == np.float32(1.5)
    assert [r.getMessage() for r in caplog.records] == [
        "hot.wav: float samples reach 1.5, beyond full scale 1.0 (clipped audio?)"]


def test_check_audio_reads_channels_first_buffers() -> None:
    # librosa's (channels, n) layout used to give "too short: 0.000 s (2 samples)".
    mono = check_audio(np.full((2, 16000), 0.5), 16000, "buf", 0.5)
    assert mono.shape == (16000,)


def test_wav_files_are_read_without_scipy_io(tmp_path: Path) -> None:
    # audio.py used to load scipy/io/wavfile.py by file path as a private module, then imported
    # the public scipy.io.wavfile (scipy.io's init pulls scipy.io.matlab and scipy.sparse).
    import subprocess

    path = tmp_path / "x.wav"
    wavfile.write(path, 8000, np.zeros(800, dtype=np.int16))
    code = ("import sys; from ser_edge.audio.read import read_audio; read_audio(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith('scipy.io') or 'wavfile' in m))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
