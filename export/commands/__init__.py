"""The subcommands of ``python -m export``, one module each.

Every module has ``add_parser(sub)`` (its arguments; the parsed namespace gets ``run``) and
``run(args) -> int`` (the exit status; expected failures raise :class:`export.errors.ExportError`):
:mod:`.train`, :mod:`.train_frames`, :mod:`.convert`, :mod:`.evaluate`, :mod:`.to_npz`, :mod:`.card`,
:mod:`.quantize`, :mod:`.calibrate`.
"""
