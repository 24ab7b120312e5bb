"""A private PulseAudio server for tests: a null sink whose monitor is the default source.

PortAudio (sounddevice) reaches it through ALSA's pulse plugin (Debian: libasound2-plugins),
so ``ser-edge listen --device pulse`` records whatever ``paplay`` plays into the sink. The
server runs as a child process with its own runtime folder and socket; ``env`` is what a
client process needs to talk to it (nothing touches the user's own audio setup).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

SINK = "ser_edge_test"

SCRIPT = """\
load-module module-null-sink sink_name={sink} rate=48000 channels=2
load-module module-native-protocol-unix auth-anonymous=1 socket={socket}
set-default-sink {sink}
set-default-source {sink}.monitor
"""

PACKAGES = "pulseaudio pulseaudio-utils libasound2-plugins libportaudio2"


def missing() -> str | None:
    """Why a PulseAudio test cannot run here (None when it can)."""
    for tool in ("pulseaudio", "paplay", "pactl"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian: apt-get install {PACKAGES}; CI installs them " \
                   "from .ci/apt-packages.txt)"
    if not any(Path(p, "alsa-lib/libasound_module_pcm_pulse.so").exists()
               for p in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")):
        return "ALSA's pulse plugin is not installed (Debian: libasound2-plugins)"
    return None


class PulseServer:
    """Start with :meth:`start`, stop with :meth:`stop` (or use as a context manager)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.socket = self.folder / "native"
        self.proc: subprocess.Popen | None = None
        self.env = {**os.environ, "PULSE_SERVER": f"unix:{self.socket}", "PULSE_SINK": SINK,
                    "PULSE_SOURCE": f"{SINK}.monitor", "PULSE_RUNTIME_PATH": str(self.folder),
                    "PULSE_STATE_PATH": str(self.folder), "PULSE_COOKIE": str(self.folder / "cookie")}

    def start(self, timeout: float = 15.0) -> PulseServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        script = self.folder / "server.pa"
        script.write_text(SCRIPT.format(sink=SINK, socket=self.socket))
        cmd = ["pulseaudio", "-n", "-F", str(script), "--daemonize=no", "--exit-idle-time=-1",
               "--disallow-exit", "--system=false", "--use-pid-file=no", "--disable-shm=yes",
               "--log-target=file:" + str(self.folder / "server.log")]
        self.proc = subprocess.Popen(cmd, env={**self.env, "HOME": str(self.folder)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited with {self.proc.returncode}: {self.log()}")
            if self.socket.exists() and self.pactl("info").returncode == 0:
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pulseaudio did not answer within {timeout} s: {self.log()}")

    def pactl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10)

    def play(self, wav: Path, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """Play a file into the null sink; returns when it has been played."""
        return subprocess.run(["paplay", f"--device={SINK}", str(wav)], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def kill(self) -> None:
        """Kill the server abruptly (a crash, as far as its clients can tell)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"

    def __enter__(self) -> PulseServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
