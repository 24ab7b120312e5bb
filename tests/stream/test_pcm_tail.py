"""Issue 6: an incomplete last PCM frame on stdin is counted and reported, not dropped silently."""

from __future__ import annotations

import io

from ser_edge.stream import StreamStats
from ser_edge.stream.sources import PcmSource

from support.cli import run_cli
from support.signals import noise, to_int16

RATE = 16000


def test_pcm_source_counts_the_bytes_of_an_incomplete_last_frame():
    pcm = to_int16(noise(0.3, RATE, -30.0)).astype("<i2").tobytes()
    whole = PcmSource(io.BytesIO(pcm), sample_rate=RATE, channels=2)  # 2 channels: 4-byte frames
    n = sum(len(b) for _, b in whole)
    assert whole.partial_frame_bytes == 0 and n == len(pcm) // 4
    cut = PcmSource(io.BytesIO(pcm + b"\x01\x02\x03"), sample_rate=RATE, channels=2)
    assert sum(len(b) for _, b in cut) == n and cut.partial_frame_bytes == 3


def test_summary_names_discarded_bytes_only_when_there_are_some():
    assert "discarded" not in StreamStats().summary()
    assert "5 bytes of an incomplete last sample frame discarded" in StreamStats(discarded_bytes=5).summary()


def test_listen_reports_three_extra_bytes_on_stdin():
    """3 bytes too many of s16le mono; and 3 bytes too many of 4-byte stereo frames."""
    pcm = to_int16(noise(1.0, RATE, -40.0, seed=3)).astype("<i2").tobytes()
    ok = run_cli("listen", "--input", "-", "--rate", str(RATE), input=pcm.decode("latin-1"),
                 encoding="latin-1")
    extra = run_cli("listen", "--input", "-", "--rate", str(RATE), input=(pcm + b"abc").decode("latin-1"),
                    encoding="latin-1")
    assert ok.returncode == extra.returncode == 0, extra.stderr
    assert "discarded" not in ok.stderr and "Traceback" not in extra.stderr
    summary = [line for line in extra.stderr.splitlines() if "summary:" in line]
    # s16le mono has 2-byte frames: of the 3 extra bytes, 2 are one more sample and 1 is discarded
    assert len(summary) == 1 and "1.0 s of audio" in summary[0]
    assert "1 byte of an incomplete last sample frame discarded" in summary[0]
    stereo = run_cli("listen", "--input", "-", "--rate", str(RATE), "--channels", "2",
                     input=(pcm + b"abc").decode("latin-1"), encoding="latin-1")
    assert stereo.returncode == 0, stereo.stderr
    assert "3 bytes of an incomplete last sample frame discarded" in stereo.stderr
