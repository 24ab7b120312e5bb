"""``classify`` shows which file of a batch it is on, on a terminal only: stderr a TTY gets a
rewritten ``[i/N] FILE`` line (erased before each result); a pipe gets none of it."""

from __future__ import annotations

import os
import pty
import subprocess

from support.cli import cli_command, run_cli
from support.signals import to_int16, utterance, write_wav

RATE = 16000


def batch(tmp_path) -> list[str]:
    x = to_int16(utterance(RATE, 1))
    return [str(write_wav(tmp_path / f"f{i}.wav", x, RATE)) for i in range(3)]


def stderr_on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``ser-edge ARGS`` with stderr on a pseudo-terminal; (status, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*cli_command(), *args], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.stdout.read()
    return proc.wait(timeout=120), b"".join(chunks).decode(errors="replace")


def test_a_batch_shows_progress_on_a_terminal(tmp_path):
    files = batch(tmp_path)
    status, seen = stderr_on_a_terminal(["classify", "--model", "seed", *files])
    assert status == 0, seen
    for i, path in enumerate(files, 1):
        assert f"[{i}/3] {path}" in seen
    assert seen.endswith("\r\x1b[K"), repr(seen[-40:])  # the line is erased at the end


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path):
    files = batch(tmp_path)
    proc = run_cli("classify", "--model", "seed", *files)
    assert proc.returncode == 0, proc.stderr
    assert "[1/3]" not in proc.stderr and "\x1b[K" not in proc.stderr
    assert len(proc.stdout.splitlines()) == 3  # one row per file (a pipe: no header)


def test_a_failed_file_erases_the_progress_line_before_its_error(tmp_path):
    files = [*batch(tmp_path)[:1], str(tmp_path / "missing.wav")]
    status, seen = stderr_on_a_terminal(["classify", "--model", "seed", *files])
    assert status == 1
    assert f"\r\x1b[Kser-edge: {files[1]}" in seen, repr(seen)
