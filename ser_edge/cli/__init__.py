"""The ``ser-edge`` command line, the only place that sees every stage.

- :mod:`.main`: the parser, the exit codes' meaning and the entry point
  ``ser_edge.cli.main:main`` (the ``ser-edge`` console script, ``python -m ser_edge``);
- :mod:`.common`: what every command shares (exit codes, one-line errors, JSON lines,
  ``--model``/``--threads``);
- :mod:`.classify`: ``classify`` and ``info``;
- :mod:`.listen`: ``listen`` (with its MQTT options) and ``devices``.

Nothing in :mod:`ser_edge` imports this package but :mod:`ser_edge.__main__`.
"""

__all__ = ["classify", "common", "listen", "main"]
