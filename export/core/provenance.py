"""The ``ser_edge.training`` record of both pipelines: data, protocol, metrics, date, the one
export version, the command, the tool versions. (File digests: the runtime's
:func:`ser_edge.model.sha256_of`.)"""

from __future__ import annotations

import datetime
import os
import platform
import re
import shlex
from collections.abc import Sequence
from importlib import metadata
from typing import Any

#: The version of the export tools, recorded as ``export_version`` in every model they write.
EXPORT_VERSION = "0.3.0"

LICENCES = {
    "ravdess": "RAVDESS: CC BY-NC-SA 4.0; Livingstone & Russo (2018), PLoS ONE, "
    "doi:10.1371/journal.pone.0196391",
    "tess": "TESS: CC BY-NC-ND 4.0; Dupuis & Pichora-Fuller (2010), University of Toronto",
}


#: An absolute path inside a string: a "/" at the start or after whitespace, "=" or a quote, up to
#: the next whitespace or quote ("doi:10.1371/journal" and relative paths are left alone).
ABSOLUTE_PATH = re.compile(r"""(?:(?<=^)|(?<=[\s='"]))/[^\s'"]*""")


def portable(value: Any) -> Any:
    """``value`` (JSON-like) with every absolute path in its strings cut to its last component.

    A model file travels: the building machine's folders (``/work/shared/data/seed``) say
    nothing to its users and leak the builder's layout, so only ``seed`` is kept.
    """
    if isinstance(value, str):
        return ABSOLUTE_PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1] or "/", value)
    if isinstance(value, dict):
        return {key: portable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(item) for item in value]
    return value


def record(
    data: dict[str, Any], protocol: str, metrics: dict[str, Any], command: str, **extra: Any
) -> dict[str, Any]:
    """The full training record; ``metrics`` keeps the caller's order (speaker-independent first).

    Absolute paths (data folders, the command line) are stored as their last component only.
    """
    return portable({
        "data": data,
        "protocol": protocol,
        "metrics": metrics,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "export_version": EXPORT_VERSION,
        "command": command,
        "machine": f"{platform.machine()} with {os.cpu_count()} CPU cores ({platform.system()})",
        **extra,
    })


def command_line(argv: Sequence[str]) -> str:
    """The command that ran, as ``python -m export ARGS``."""
    return "python -m export " + shlex.join(argv)


def versions() -> dict[str, str]:
    """Installed versions of the tools that shape the model file (without importing them)."""
    found = {"python": platform.python_version()}
    for package in ("tensorflow", "keras", "tf_keras", "tf2onnx", "onnx", "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found
