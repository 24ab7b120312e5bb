"""The ``ser-edge`` command line, the only place that sees every stage.

- :mod:`.main`: the parser, the exit codes' meaning and the entry point
  ``ser_edge.cli.main:main`` (the ``ser-edge`` console script, ``python -m ser_edge``);
- :mod:`.common`: what every command shares (exit codes, one-line errors, JSON lines,
  ``--model``/``--threads``);
- :mod:`.classify`: ``classify`` and ``info`` (:mod:`.info`: the lines ``info`` shows;
  :mod:`.plotting`: ``--plot``);
- :mod:`.listen`: ``listen``, with :mod:`.listen_options` (its source and segmentation options
  and their checks), :mod:`.mqtt` (``--mqtt`` and its options) and :mod:`.signals` (how
  SIGINT/SIGTERM stop it);
- :mod:`.calibration`: ``--calibrate``/``--calibration`` of classify and listen, and
  ``calibration show|reset``;
- :mod:`.devices`: ``devices``.

Nothing in :mod:`ser_edge` imports this package but :mod:`ser_edge.__main__`.
"""

__all__ = [
    "calibration", "classify", "common", "devices", "info", "listen", "listen_options", "main", "mqtt",
    "plotting", "signals",
]
