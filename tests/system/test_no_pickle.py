"""No code execution from data in the runtime: ser_edge/ never unpickles, unmarshals or evals.

The check reads the source with ``ast`` (docstrings and comments may mention pickle freely).
Loading numpy files is refused outright in the runtime (it has no data files to load) and
``allow_pickle=True`` anywhere is an error.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[2] / "ser_edge"
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "marshal", "shelve", "dill", "cloudpickle",
                     "torch"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRS = {"load", "loads", "fromfile"}  # on np / numpy / pickle-like modules
NUMPY_NAMES = {"np", "numpy"}


def findings(source: str, name: str) -> list[str]:
    """Every forbidden import, call or keyword in ``source``, as 'file:line what'."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where} import {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
            found.append(f"{where} from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{where} {func.id}()")
            if (isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRS
                    and isinstance(func.value, ast.Name) and func.value.id in NUMPY_NAMES):
                found.append(f"{where} {func.value.id}.{func.attr}()")
            found += [f"{where} allow_pickle=..." for k in node.keywords if k.arg == "allow_pickle"]
        elif isinstance(node, ast.Attribute) and node.attr in ("__reduce__", "__setstate__"):
            found.append(f"{where} {node.attr}")
    return found


def test_runtime_sources_hold_no_pickle_marshal_or_eval():
    files = sorted(RUNTIME.rglob("*.py"))
    assert len(files) >= 10  # the whole package is scanned, not an empty folder
    bad = [hit for path in files for hit in findings(path.read_text(encoding="utf-8"), path.name)]
    assert bad == []


@pytest.mark.parametrize("snippet", [
    "import pickle", "from joblib import load", "import marshal as m", "x = eval('1')", "exec(code)",
    "np.load(path, allow_pickle=True)", "numpy.load(p)", "import torch", "f(allow_pickle=True)",
])
def test_the_scanner_catches_each_forbidden_form(snippet):
    assert findings(snippet, "snippet.py"), snippet


def test_the_scanner_ignores_words_in_strings_and_other_methods():
    ok = '"""We never use pickle or eval."""\nimport json\njson.loads("{}")\nmodel.load()\n# pickle'
    assert findings(ok, "ok.py") == []
