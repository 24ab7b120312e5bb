"""Test helpers (not fixtures: those live in tests/conftest.py).

- ``paths``: where the project and ../shared/data are (ROOT, DATA, SEED, AUDIO, EXAMPLES,
  SHIPPED_MODEL) and ``need(path)``, which skips a test whose data is absent;
- ``cli``: ``run_cli``/``cli_command``, the ``ser-edge`` command in a subprocess;
- ``signals``: synthetic speech-like signals and WAV writing;
- ``malformed``: a corpus of malformed audio files;
- ``onnx_fixtures``: tiny ONNX models with a ser-edge contract;
- ``broker``: a throwaway Mosquitto broker and a message collector;
- ``pulse``: a throwaway PulseAudio server with virtual devices;
- ``soak``: memory and event checks of the soak tests.
"""
