"""The warning for input below the lowest sample rate measured as fine for a model: the text a
user sees (the CLI prints it once per file and rate; :meth:`EmotionModel.warn_rate` logs it)."""

from __future__ import annotations

from collections.abc import Mapping

from ..config import INPUT_RATES_KEY
from .contract import ModelSpec


def rate_warning(spec: ModelSpec, rate: int) -> str | None:
    """A warning for input at ``rate`` Hz below :attr:`ModelSpec.min_fine_rate`, else None.

    It names the rate and the measured effect: the figure measured at the highest rate at
    or below ``rate`` (else the lowest measured), from the model's ``input_rates`` figures;
    a model without figures gets the band argument and "not measured".
    """
    floor = spec.min_fine_rate
    if rate >= floor or rate >= spec.frontend.sample_rate:
        return None
    figures = spec.training.get(INPUT_RATES_KEY)
    measured = figures.get("measured", []) if isinstance(figures, Mapping) else []
    full = figures.get("full_band", {}) if isinstance(figures, Mapping) else {}
    rows = sorted((m for m in measured if isinstance(m, Mapping) and "rate" in m),
                  key=lambda m: m["rate"])
    if not rows or "accuracy" not in full:
        return (f"audio at {rate} Hz has nothing above {rate / 2:g} Hz but this model's features reach "
                f"{spec.frontend.fmax:g} Hz; its effect on accuracy was not measured for this model")
    row = ([m for m in rows if m["rate"] <= rate] or rows[:1])[-1]
    drop = 100 * (row["accuracy"] - full["accuracy"])
    agree = f"; {row['agreement']:.0%} of labels unchanged" if "agreement" in row else ""
    return (f"audio at {rate} Hz is below {floor} Hz, the lowest input rate measured as fine for this "
            f"model: measured at {row['rate']} Hz, accuracy {row['accuracy']:.1%} vs "
            f"{full['accuracy']:.1%} at full band ({drop:+.1f} points{agree}); "
            "expect less accurate results")
