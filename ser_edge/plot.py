"""Pictures of a recording's emotions over time (the ``plot`` extra: matplotlib).

matplotlib is imported only inside the functions that draw, so ``import ser_edge.plot`` is
cheap and works without it. Every emotion has one fixed colour (:data:`PALETTE`), the same in
every run and every picture; a label the palette does not know gets a colour from
:data:`EXTRA_COLOURS` chosen by a stable checksum of its name (never by Python's salted
``hash``).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import MissingExtraError
from .stream.events import Event

__all__ = ["EXTRA_COLOURS", "PALETTE", "emotion_colour", "plot_timeline", "require_matplotlib"]

log = logging.getLogger(__name__)

#: label -> colour (hex RGB) of the shipped model's eight emotions (Okabe-Ito colours, which stay
#: distinguishable with the common colour-vision deficiencies; grey for neutral).
PALETTE: dict[str, str] = {
    "neutral": "#999999",
    "calm": "#56B4E9",
    "happy": "#F0E442",
    "sad": "#0072B2",
    "angry": "#D55E00",
    "fearful": "#CC79A7",
    "disgust": "#009E73",
    "surprised": "#E69F00",
}
#: colours for labels outside :data:`PALETTE` (another model's classes).
EXTRA_COLOURS: tuple[str, ...] = ("#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#1F77B4")


def emotion_colour(label: str) -> str:
    """The fixed colour (``"#RRGGBB"``) of ``label``: the same in every run."""
    if label in PALETTE:
        return PALETTE[label]
    return EXTRA_COLOURS[zlib.crc32(label.encode("utf-8")) % len(EXTRA_COLOURS)]


def require_matplotlib() -> Any:
    """The ``matplotlib`` module, or :class:`MissingExtraError` naming the ``plot`` extra."""
    try:
        import matplotlib
    except ImportError:
        raise MissingExtraError("matplotlib", "plot") from None
    return matplotlib


def plot_timeline(
    events: Sequence[Event],
    out: str | Path,
    *,
    title: str,
    labels: Sequence[str] = (),
    duration: float | None = None,
) -> Path:
    """Draw ``events`` on a time axis and write the picture to ``out`` (PNG, by its suffix).

    One bar per event from ``start`` to ``end`` (stream seconds), its height the event's
    confidence (0..1), in the label's fixed colour. The legend lists ``labels`` (e.g. the
    model's, in its order; default: the labels that occur). ``duration``: seconds of the whole
    recording, so the axis shows trailing silence (default: the axis ends just after the last
    event). Returns ``out`` as a Path.
    """
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    out = Path(out)
    shown = list(labels) or sorted({e.label for e in events})
    end = max([duration or 0.0, *(e.end for e in events)]) or 1.0
    end = end if duration else end * 1.02  # the last bar clear of the frame
    fig = Figure(figsize=(min(16.0, 6.0 + end / 30.0), 3.6), layout="constrained")
    ax = fig.add_subplot()
    for e in events:
        ax.bar(e.start, e.confidence, width=max(e.end - e.start, 1e-3), align="edge",
               color=emotion_colour(e.label), edgecolor="#333333", linewidth=0.5)
    if not events:
        ax.text(0.5, 0.5, "no speech", transform=ax.transAxes, ha="center", va="center", color="#666666")
    ax.set_xlim(0.0, end)
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("confidence")
    ax.set_title(title)
    handles = [Patch(facecolor=emotion_colour(k), edgecolor="#333333", label=k) for k in shown]
    if handles:
        ax.legend(handles=handles, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.savefig(out, dpi=100, metadata={"Software": None})
    log.debug("wrote %s: %d events over %.1f s", out, len(events), end)
    return out
