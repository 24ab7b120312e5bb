"""Behaviour preserved? Dump what a ser_edge tree computes, then compare two dumps exactly.

    PYTHONPATH=/path/to/old/checkout python benchmarks/equality.py dump /tmp/old
    PYTHONPATH=$PWD python benchmarks/equality.py dump /tmp/new
    python benchmarks/equality.py compare /tmp/old /tmp/new

``dump`` reads the two seed example recordings and 30 RAVDESS/TESS files (a fixed random
choice, seed 19) at their native rates from ``$SER_EDGE_DATA`` (default ``../shared/data``) and
stores, for the tree on PYTHONPATH and its shipped models (frames16k float32 and int8, and the
seed-compatible mfcc_mean): the decoded audio, every frontend input without and with the speech
check, ``predict``/``predict_file``/``scores``; and the stdout/stderr/exit code of ``ser-edge
classify --json``, ``classify --timeline --json`` (every file, one call per model) and
``listen --input FILE --json`` (12 files with the default model, 4 with the seed model).
``compare`` prints how many arrays are bit-identical (``np.array_equal``, same dtype and shape),
whether the predictions are identical and which CLI runs differ (paths of the two trees
normalised). Figures depend on the data folder only, not on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SER_EDGE_DATA", ROOT.parent / "shared" / "data"))
MODELS = {"default": "ser_edge.onnx", "int8": "ser_edge_int8.onnx", "seed": "ser_edge_seed.onnx"}


def chosen_files() -> list[Path]:
    """The seed examples + 18 RAVDESS + 12 TESS recordings (fixed choice)."""
    rng = random.Random(19)
    files = sorted((DATA / "seed" / "examples").glob("*.wav"))
    files += rng.sample(sorted((DATA / "audio" / "ravdess").rglob("*.flac")), 18)
    return files + rng.sample(sorted((DATA / "audio" / "tess").rglob("*.flac")), 12)


def run_cli(args: list[str]) -> dict[str, object]:
    """One ``python -m ser_edge`` run of the tree on PYTHONPATH (from /tmp: no checkout on the path)."""
    proc = subprocess.run([sys.executable, "-m", "ser_edge", *args], capture_output=True, text=True,
                          env=os.environ, cwd="/tmp", check=False)
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def dump_library(tree: Path, files: list[Path]) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Audio, frontend inputs and predictions of every file with every shipped model."""
    from ser_edge.classifier import EmotionClassifier

    try:
        from ser_edge.audio.read import read_audio
    except ImportError:  # a tree from before issue 19
        from ser_edge.frontend.audio import read_audio  # type: ignore[no-redef]
    arrays: dict[str, np.ndarray] = {}
    preds: dict[str, object] = {}
    for name, file in MODELS.items():
        clf = EmotionClassifier.load(tree / "models" / file)
        for i, path in enumerate(files):
            x, rate = read_audio(path)
            arrays[f"{name}/{i}/audio"] = x
            for key, value in clf.features(x, rate).items():
                arrays[f"{name}/{i}/features/{key}"] = value
            for key, value in (clf.frontend.speech_features(x, rate) or {}).items():
                arrays[f"{name}/{i}/speech/{key}"] = value
            preds[f"{name}/{i}/predict"] = clf.predict(x, rate).to_dict()
            preds[f"{name}/{i}/predict_file"] = clf.predict_file(path).to_dict()
            preds[f"{name}/{i}/scores"] = clf.scores(x, rate).tolist()
    return arrays, preds


def dump(out: Path) -> None:
    import ser_edge

    if not (DATA / "audio" / "ravdess").is_dir():
        raise SystemExit(f"{DATA / 'audio' / 'ravdess'} not found: set SER_EDGE_DATA to the data folder")
    tree = Path(ser_edge.__file__).resolve().parents[1]
    out.mkdir(parents=True, exist_ok=True)
    files = chosen_files()
    arrays, preds = dump_library(tree, files)
    np.savez(out / "arrays.npz", **arrays)
    (out / "preds.json").write_text(json.dumps(preds, indent=1, sort_keys=True))
    cli = {}
    for name in ("default", "seed"):
        model = str(tree / "models" / MODELS[name])
        cli[f"{name}/classify"] = run_cli(["classify", "--json", "--model", model, *map(str, files)])
        cli[f"{name}/classify_timeline"] = run_cli(["classify", "--timeline", "--json", "--model", model,
                                                    *map(str, files)])
        for i, path in enumerate(files[:12] if name == "default" else files[:4]):
            cli[f"{name}/listen/{i}"] = run_cli(["listen", "--input", str(path), "--json", "--model", model])
    (out / "cli.json").write_text(json.dumps({"tree": str(tree), "runs": cli}, indent=1, sort_keys=True))
    print(f"dumped {len(files)} files, {len(arrays)} arrays, {len(preds)} predictions, {len(cli)} CLI runs "
          f"of {tree} to {out}")


def compare(a: Path, b: Path) -> int:
    old, new = np.load(a / "arrays.npz"), np.load(b / "arrays.npz")
    keys = sorted(set(old.files) | set(new.files))
    differ = [k for k in keys if k not in old.files or k not in new.files or old[k].dtype != new[k].dtype
              or not np.array_equal(old[k], new[k])]
    print(f"arrays: {len(keys)}, bit-identical: {len(keys) - len(differ)}, differing: {differ[:10]}")
    p_old, p_new = (json.loads((d / "preds.json").read_text()) for d in (a, b))
    p_differ = sorted(k for k in set(p_old) | set(p_new) if p_old.get(k) != p_new.get(k))
    print(f"predictions: {len(p_old)}, identical: {len(p_old) - len(p_differ)}, differing: {p_differ[:10]}")
    c_old, c_new = (json.loads((d / "cli.json").read_text()) for d in (a, b))

    def norm(run: dict, tree: str) -> str:
        return json.dumps(run, sort_keys=True).replace(tree, "<tree>")

    runs = sorted(set(c_old["runs"]) | set(c_new["runs"]))
    c_differ = [k for k in runs if norm(c_old["runs"].get(k, {}), c_old["tree"])
                != norm(c_new["runs"].get(k, {}), c_new["tree"])]
    lines = sum(len(r["stdout"].splitlines()) for r in c_old["runs"].values())
    codes = sorted({r["rc"] for r in c_old["runs"].values()})
    print(f"CLI runs: {len(runs)} ({lines} JSON lines, exit codes {codes}), identical: "
          f"{len(runs) - len(c_differ)}, differing: {c_differ}")
    return int(bool(differ or p_differ or c_differ))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("out", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
