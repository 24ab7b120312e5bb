"""Installed size: the runtime's environment vs the original pipeline's (tensorflow + librosa).

    python benchmarks/footprint.py --runtime-python /tmp/rt/bin/python [--original-python PY]
                                   [--no-original] [--download TREE]

The runtime environment is a fresh venv made with ``pip install .`` (no extras); the size is
the sum of the files of every installed distribution there, pip/setuptools excluded, and the
``du`` of its whole site-packages folder (pip and setuptools included). ``--download TREE``:
what ``pip download TREE`` fetches with that venv's pip (the wheels of the dependencies and
the project's own, built from TREE), per distribution. The original's is the dependency closure
of ``tensorflow``, ``tf_keras`` and ``librosa`` in the ``--original-python`` environment
(default: this interpreter), each distribution counted once; ``--no-original`` leaves it out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, re, sys
from importlib import metadata
roots = sys.argv[1:]
skip = {"pip", "setuptools", "wheel"}
def norm(name): return re.sub(r"[-_.]+", "-", name).lower()
dists = {norm(d.metadata["Name"]): d for d in metadata.distributions()}
def size(d):
    total = 0
    for f in d.files or []:
        p = d.locate_file(f)
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total
if not roots:
    names = [n for n in dists if n not in skip]
else:
    names, todo = set(), [norm(r) for r in roots]
    while todo:
        n = todo.pop()
        if n in names or n not in dists or n in skip:
            continue
        names.add(n)
        for req in dists[n].requires or []:
            if "extra ==" in req:
                continue
            todo.append(norm(re.split(r"[ ;<>=!~\[(]", req, maxsplit=1)[0]))
print(json.dumps({n: size(dists[n]) for n in sorted(names)}))
"""


def sizes(python: str, roots: list[str]) -> dict[str, int]:
    out = subprocess.run([python, "-c", CHILD, *roots], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def site_packages_du(python: str) -> int:
    """Bytes on disk (``du -sb``) of the site-packages folder of ``python``'s environment."""
    where = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                           capture_output=True, text=True, check=True).stdout.strip()
    out = subprocess.run(["du", "-sb", where], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def download_sizes(python: str, tree: str) -> dict[str, int]:
    """Bytes of each file ``pip download TREE`` fetches (with ``python``'s pip) into a temp folder."""
    with tempfile.TemporaryDirectory(prefix="ser-edge-download-") as folder:
        subprocess.run([python, "-m", "pip", "download", "--quiet", "--no-cache-dir", "-d", folder, tree],
                       capture_output=True, text=True, check=True)
        return {f.name.split("-")[0]: f.stat().st_size for f in Path(folder).iterdir()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime-python", required=True, help="python of a venv with only `pip install .`")
    parser.add_argument("--original-python", default=sys.executable)
    parser.add_argument("--no-original", action="store_true", help="leave out the original pipeline")
    parser.add_argument("--download", metavar="TREE", help="also measure `pip download TREE`")
    parser.add_argument("--top", type=int, default=6)
    args = parser.parse_args()
    rt = sizes(args.runtime_python, [])
    print(f"runtime venv site-packages on disk (du, pip and setuptools included): "
          f"{site_packages_du(args.runtime_python) / 2**20:.0f} MiB")
    if args.download:
        got = download_sizes(args.runtime_python, args.download)
        print(f"pip download {args.download}: {sum(got.values()) / 2**20:.1f} MiB in {len(got)} files: "
              + ", ".join(f"{k} {v / 2**20:.1f}" for k, v in sorted(got.items(), key=lambda kv: -kv[1])))
    named = [("runtime (pip install ser-edge)", rt)]
    if args.no_original:
        top = sorted(rt.items(), key=lambda kv: -kv[1])
        print(f"{named[0][0]}: {sum(rt.values()) / 2**20:.0f} MiB in {len(rt)} distributions: "
              + ", ".join(f"{k} {v / 2**20:.1f}" for k, v in top))
        return
    orig = sizes(args.original_python, ["tensorflow", "tf_keras", "librosa"])
    named.append(("original (tensorflow + tf_keras + librosa)", orig))
    for name, table in named:
        total = sum(table.values()) / 2**20
        top = sorted(table.items(), key=lambda kv: -kv[1])[:args.top]
        print(f"{name}: {total:.0f} MiB in {len(table)} distributions; largest: "
              + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in top))
    ratio = sum(orig.values()) / max(1, sum(rt.values()))
    print(f"original / runtime = {ratio:.1f}x")


if __name__ == "__main__":
    main()
