"""The runtime stays light: `import ser_edge` pulls in no training or test framework."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ser_edge

HEAVY = {"tensorflow", "tf_keras", "keras", "librosa", "numba", "torch", "resampy", "tf2onnx", "export"}


def test_import_ser_edge_loads_no_heavy_package():
    code = (
        "import sys, ser_edge, ser_edge.cli.main, ser_edge.classifier; "
        f"bad = {sorted(HEAVY)!r}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_runtime_module_imports_a_heavy_package_even_lazily():
    package = Path(ser_edge.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.relative_to(package)}: {n}" for n in names if n.split(".")[0] in HEAVY]
    assert offenders == []
    assert len(list(package.rglob("*.py"))) >= 8
