"""Installed size: the runtime's environment vs the original pipeline's (tensorflow + librosa).

    python benchmarks/footprint.py --runtime-python /tmp/rt/bin/python [--original-python PY]

The runtime environment is a fresh venv made with ``pip install .`` (no extras); the size is
the sum of the files of every installed distribution there, pip/setuptools excluded. The
original's is the dependency closure of ``tensorflow``, ``tf_keras`` and ``librosa`` in the
``--original-python`` environment (default: this interpreter), each distribution counted once.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime-python", required=True, help="python of a venv with only `pip install .`")
    parser.add_argument("--original-python", default=sys.executable)
    parser.add_argument("--top", type=int, default=6)
    args = parser.parse_args()
    rt = sizes(args.runtime_python, [])
    orig = sizes(args.original_python, ["tensorflow", "tf_keras", "librosa"])
    named = (("runtime (pip install ser-edge)", rt), ("original (tensorflow + tf_keras + librosa)", orig))
    for name, table in named:
        total = sum(table.values()) / 2**20
        top = sorted(table.items(), key=lambda kv: -kv[1])[:args.top]
        print(f"{name}: {total:.0f} MiB in {len(table)} distributions; largest: "
              + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in top))
    ratio = sum(orig.values()) / max(1, sum(rt.values()))
    print(f"original / runtime = {ratio:.1f}x")


if __name__ == "__main__":
    main()
