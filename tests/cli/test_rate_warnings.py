"""Sample-rate warnings come from the model's measured figures, once per file or stream."""

from __future__ import annotations

from support.cli import run_cli
from support.signals import to_int16, utterance, write_wav


def test_8_khz_warns_once_with_the_measured_effect_and_16_khz_does_not(tmp_path):
    # `classify` of 8 kHz audio used to warn nothing; `listen` at 16 kHz warned "clearly less
    # accurate" although the model card measures 16 kHz at or above full band.
    low = write_wav(tmp_path / "low.wav", to_int16(utterance(8000)), 8000)
    ok = write_wav(tmp_path / "ok.wav", to_int16(utterance(16000)), 16000)
    classify = run_cli("classify", "--model", "seed", str(low), str(ok))  # the seed model's measured figures
    assert classify.returncode == 0, classify.stderr
    warnings = [line for line in classify.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "low.wav" in warnings[0], classify.stderr
    assert "8000 Hz is below 16000 Hz" in warnings[0] and "17.2% vs 43.9% at full band" in warnings[0]
    for path, expected in ((low, 1), (ok, 0)):
        listen = run_cli("listen", "--input", str(path), "--model", "seed")
        assert listen.returncode == 0, listen.stderr
        assert sum("warning" in line for line in listen.stderr.splitlines()) == expected, listen.stderr
