"""ser_edge.audio.wav against scipy.io.wavfile.read: every format it reads, same samples."""

from __future__ import annotations

import io
import struct
import warnings

import numpy as np
import pytest
from scipy.io import wavfile

from ser_edge.audio.wav import WavEncodingError, WavError, WavTruncatedError, read_wav

from support.malformed import FLOAT, PCM, Wav, corpus, wav_bytes


def _noise(dtype: str, frames: int, channels: int) -> np.ndarray:
    x = np.random.default_rng(3).uniform(-1, 1, (frames, channels))
    if dtype == "uint8":
        return np.round(x * 127 + 128).astype(np.uint8)
    if dtype.startswith("int"):
        return np.round(x * (2.0 ** (8 * np.dtype(dtype).itemsize - 1) - 1)).astype(dtype)
    return x.astype(dtype)


def _same_as_scipy(raw: bytes) -> np.ndarray:
    rate, data = read_wav(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", wavfile.WavFileWarning)  # "Chunk (non-data) not understood"
        ref_rate, ref = wavfile.read(io.BytesIO(raw))
    assert rate == ref_rate and data.dtype == ref.dtype and data.shape == ref.shape
    np.testing.assert_array_equal(data, ref)
    return data


@pytest.mark.parametrize("dtype", ["uint8", "int16", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("channels", [1, 2, 5])
def test_scipy_written_files(dtype: str, channels: int) -> None:
    data = _noise(dtype, 301, channels)
    buffer = io.BytesIO()
    wavfile.write(buffer, 22050, data if channels > 1 else data[:, 0])
    assert _same_as_scipy(buffer.getvalue()).shape == ((301, channels) if channels > 1 else (301,))


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
@pytest.mark.parametrize("channels", [1, 2, 3])  # 3 channels: WAVE_FORMAT_EXTENSIBLE
def test_soundfile_written_files_incl_24_bit_and_extensible(tmp_path, subtype: str, channels: int) -> None:
    sf = pytest.importorskip("soundfile")
    path = tmp_path / "x.wav"
    sf.write(str(path), _noise("float64", 257, channels) * 0.9, 48000, subtype=subtype)
    data = _same_as_scipy(path.read_bytes())
    if subtype == "PCM_24":
        assert data.dtype == np.int32 and not np.any(data & 0xFF)  # left-justified


@pytest.mark.parametrize("width", [3, 5, 6, 7])
def test_odd_container_widths_and_big_endian(width: int) -> None:
    payload = np.random.default_rng(width).integers(0, 256, width * 2 * 40, dtype=np.uint8).tobytes()
    little = wav_bytes(Wav(payload, channels=2, bits=8 * width - 4, block_align=2 * width))
    _same_as_scipy(little)
    big = bytearray(little)  # the same header as RIFX: every number big-endian
    big[:4] = b"RIFX"
    for offset, fmt in ((4, "I"), (16, "I"), (20, "H"), (22, "H"), (24, "I"), (28, "I"), (32, "H"), (34, "H"),
                        (40, "I")):
        struct.pack_into(">" + fmt, big, offset, struct.unpack_from("<" + fmt, little, offset)[0])
    _same_as_scipy(bytes(big))


def test_rf64() -> None:
    pcm = _noise("int16", 100, 2).tobytes()
    ds64 = b"ds64" + struct.pack("<IQQQ", 28, 4 + 8 + 16 + 8 + 16 + 8 + len(pcm), len(pcm), 100) + bytes(4)
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, PCM, 2, 16000, 64000, 4, 16)
    raw = b"RF64" + b"\xff" * 4 + b"WAVE" + ds64 + fmt + b"data" + b"\xff" * 4 + pcm
    np.testing.assert_array_equal(_same_as_scipy(raw), _noise("int16", 100, 2))


def test_chunks_padding_and_long_data_read_as_far_as_they_go() -> None:
    pcm = _noise("int16", 50, 1).tobytes()
    odd_chunk = b"odd " + struct.pack("<I", 3) + b"abc\x00"
    _same_as_scipy(wav_bytes(Wav(pcm, extra_chunk=odd_chunk + b"LIST" + struct.pack("<I", 4) + b"INFO")))
    assert len(_same_as_scipy(wav_bytes(Wav(pcm, data_size=len(pcm) * 4)))) == 50
    _same_as_scipy(wav_bytes(Wav(pcm[:-1] + b"\x00", bits=12)) + b"junk" + struct.pack("<I", 2) + bytes(2))


def test_errors() -> None:
    pcm = _noise("int16", 50, 1).tobytes()
    with pytest.raises(WavEncodingError):
        read_wav(wav_bytes(Wav(pcm, fmt_tag=7, bits=8)))  # mu-law
    with pytest.raises(WavTruncatedError, match="EOF"):
        read_wav(wav_bytes(Wav(pcm))[:-10])
    for bad in (b"RIFF", wav_bytes(Wav(pcm))[:36], wav_bytes(Wav(pcm, channels=0, block_align=2)),
                wav_bytes(Wav(pcm, bits=16, fmt_tag=FLOAT)), wav_bytes(Wav(pcm, riff_size=0)),
                wav_bytes(Wav(pcm, fmt_size=12))):
        with pytest.raises(WavError):
            read_wav(bad)


def test_malformed_corpus_reads_or_fails_as_scipy_does(tmp_path) -> None:
    paths, _, _ = corpus(tmp_path)
    outcomes = set()
    for name, path in paths.items():
        if not path.is_file() or path.stat().st_size == 0 or name == "unreadable":
            continue
        raw = path.read_bytes()
        if raw[:4] not in (b"RIFF", b"RIFX", b"RF64"):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", wavfile.WavFileWarning)
                warnings.filterwarnings("error", "Reached EOF", wavfile.WavFileWarning)
                ref = wavfile.read(path)  # a real file: np.fromfile, as audio.py read files
        except Exception:  # noqa: BLE001 - any scipy failure (or EOF warning): ours must fail too, typed
            with pytest.raises(WavError):
                read_wav(raw)
            outcomes.add("error")
            continue
        rate, data = read_wav(raw)
        assert rate == ref[0]
        np.testing.assert_array_equal(data, ref[1])
        outcomes.add("read")
    assert outcomes == {"read", "error"}
