"""The subcommands of ``python -m export``, one module each.

Every module has ``add_parser(sub)`` (its arguments; the parsed namespace gets ``run``) and
``run(args) -> int`` (the exit status; expected failures raise
:class:`export.core.errors.ExportError`). MFCC-mean pipeline: :mod:`.train`, :mod:`.convert`,
:mod:`.evaluate`, :mod:`.to_npz`, :mod:`.card`; frames16k pipeline: :mod:`.train_frames16k`,
:mod:`.calibrate`, :mod:`.card_figures`, :mod:`.loco` (held-out corpus scoring); any model:
:mod:`.quantize`, :mod:`.metadata`.
"""

__all__ = [
    "calibrate", "card", "card_figures", "convert", "evaluate", "loco", "metadata", "quantize", "to_npz",
    "train", "train_frames16k",
]
