"""FileBlocks: every file read block by block gives the samples of the file read whole."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from ser_edge.audio.filestream import FileBlocks
from ser_edge.audio.read import read_audio
from ser_edge.errors import AudioError

from support.malformed import corpus

RNG = np.random.default_rng(20)


def _reference(path: Path) -> np.ndarray:
    """What librosa.load(sr=None) gives: soundfile's float32 read, channel mean in float32."""
    data, _ = soundfile.read(str(path), dtype="float32", always_2d=True)
    return np.mean(data, axis=1, dtype=np.float32)


@pytest.mark.parametrize("subtype, suffix", [("PCM_16", ".wav"), ("PCM_24", ".wav"), ("PCM_32", ".wav"),
                                             ("PCM_U8", ".wav"), ("FLOAT", ".wav"), ("DOUBLE", ".wav"),
                                             ("ULAW", ".wav"), ("PCM_16", ".flac"), ("VORBIS", ".ogg"),
                                             ("OPUS", ".opus"), ("MPEG_LAYER_III", ".mp3")])
@pytest.mark.parametrize("channels", [1, 2])
def test_blocks_equal_the_whole_file_and_soundfile(tmp_path, subtype, suffix, channels):
    path = tmp_path / f"x_{subtype}{suffix}"
    rate = 48000 if subtype == "OPUS" else 22050  # Opus has no 22.05 kHz
    fmt = {"OPUS": "OGG", "MPEG_LAYER_III": "MP3"}.get(subtype)
    soundfile.write(str(path), RNG.uniform(-0.9, 0.9, (10_007, channels)), rate, subtype=subtype, format=fmt)
    blocks = FileBlocks(path, block_seconds=0.1)
    parts = list(blocks)
    assert blocks.sample_rate == rate and blocks.frames == 10_007
    assert [len(p) for p in parts[:-1]] == [rate // 10] * (len(parts) - 1)
    assert all(p.dtype == np.float32 for p in parts)
    whole, rate = read_audio(path)
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    if subtype == "MPEG_LAYER_III":  # libsndfile's stereo MP3 decoding differs in the last bit by read size
        np.testing.assert_allclose(whole, _reference(path), rtol=0, atol=1e-6)
    else:
        np.testing.assert_array_equal(whole, _reference(path))
    np.testing.assert_array_equal(FileBlocks(path).read_all(), whole)  # iterating again reads again


@pytest.mark.parametrize("subtype, fmt", [("MPEG_LAYER_III", "MP3"), ("OPUS", "OGG")])
def test_mp3_and_opus_blocks_are_the_recording_at_any_block_size(tmp_path, subtype, fmt):
    # soundfile seeks after every read; libsndfile's MP3/Opus decoders did not land where they were,
    # so each block after the first came out wrong unless its size was a multiple of a codec frame
    t = np.arange(100_007) / 48000
    path = tmp_path / f"tone.{fmt.lower()}"
    soundfile.write(str(path), 0.5 * np.sin(2 * np.pi * 440 * t), 48000, format=fmt, subtype=subtype)
    whole = _reference(path)
    for seconds in (0.1, 0.0137, 1.0):
        np.testing.assert_allclose(np.concatenate(list(FileBlocks(path, seconds))), whole, rtol=0, atol=1e-6)


def test_streamed_wavs_read_in_blocks_as_the_clean_file(tmp_path):
    paths, expect, clean = corpus(tmp_path)
    want = read_audio(clean)[0]
    for name in ("ffmpeg-pipe-sizes", "arecord-pipe-sizes", "riff-size-0", "data-longer-than-file"):
        assert expect[name] == "same"
        np.testing.assert_array_equal(np.concatenate(list(FileBlocks(paths[name], 0.05))), want)


def test_a_wav_cut_short_is_an_error_in_blocks_too(tmp_path):
    good = tmp_path / "good.wav"
    soundfile.write(str(good), RNG.uniform(-0.5, 0.5, 8000), 8000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good.read_bytes()[:9000])
    with pytest.raises(AudioError, match="truncated WAV file") as info:
        list(FileBlocks(cut))
    assert str(cut) in str(info.value) and "\n" not in str(info.value)


def test_nan_in_a_block_names_the_file_unless_passed_on(tmp_path):
    path = tmp_path / "nan.wav"
    x = np.zeros(4000, np.float32)
    x[3500] = np.nan
    soundfile.write(str(path), x, 8000, subtype="FLOAT")
    with pytest.raises(AudioError, match="nan.wav: samples are NaN or infinite"):
        list(FileBlocks(path, 0.1))
    assert np.isnan(np.concatenate(list(FileBlocks(path, 0.1, finite=False)))).sum() == 1


def test_a_wav_is_read_without_importing_soundfile(tmp_path):
    # the numpy reader serves PCM/float WAV: soundfile (cffi + libsndfile, ~3 MB) loads only for other files
    path = tmp_path / "x.wav"
    soundfile.write(str(path), np.zeros((800, 2)), 8000, subtype="PCM_16")
    code = ("import sys; from ser_edge.audio.read import read_audio; read_audio(sys.argv[1]); "
            "print('soundfile' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("subtype", ["PCM_16", "ULAW"])  # the numpy reader; soundfile
def test_a_header_claiming_a_huge_rate_cannot_set_a_huge_block(tmp_path, subtype):
    # a fuzzed header (a rate of 1e8 Hz or more, many channels) set a block of rate x channels samples:
    # a test process grew to 19 GB; blocks now hold at most MAX_BLOCK_SAMPLES samples
    import struct

    from ser_edge.audio.filestream import MAX_BLOCK_SAMPLES

    path = tmp_path / "huge-rate.wav"
    soundfile.write(str(path), RNG.uniform(-0.5, 0.5, (4000, 8)), 8000, subtype=subtype)
    raw = bytearray(path.read_bytes())
    align = struct.unpack_from("<H", raw, 32)[0]
    struct.pack_into("<II", raw, 24, 100_000_000, 100_000_000 * align)  # sample rate, byte rate
    path.write_bytes(bytes(raw))
    blocks = FileBlocks(path)
    assert blocks.sample_rate == 100_000_000 and blocks.channels == 8
    assert blocks.block_frames * blocks.channels <= MAX_BLOCK_SAMPLES
    assert len(read_audio(path)[0]) == 4000
