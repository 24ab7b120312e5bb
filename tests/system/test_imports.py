"""The runtime's shape: light to import, imports flowing one way, no cycle, no shim, no private imports.

Stages, from the bottom: errors/settings/config <- audio <- segment <- frontend <- model <-
classifier <- stream <- sinks <- cli (docs/architecture.md); the two frontend kinds do not import
each other. A module may import its own stage and the stages below it;
sinks take only ``stream.events`` from the stream; only ``__main__`` imports the cli; nothing
in ``ser_edge`` imports ``export``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ser_edge

from support.paths import ROOT

HEAVY = {"tensorflow", "tf_keras", "keras", "librosa", "numba", "torch", "resampy", "tf2onnx", "export"}
PACKAGE = Path(ser_edge.__file__).parent

#: Each first-level module or subpackage of ser_edge and its stage (higher imports lower).
STAGES = {
    "errors": 0, "settings": 0, "config": 0, "version": 0,  # settings: how specs check their fields
    "process": 0, "sessions": 0,  # process-wide settings: BLAS threads, the allocator
    "audio": 1,  # reading, resampling, frame levels
    "segment": 2,  # the energy gate, the stream buffer, utterances
    "frontend": 3,  # protocol, registry, dsp; the kinds mfcc_mean/ and frames16k/
    # model: files, session, contract, dimensions (arousal/valence mapping), EmotionModel;
    # calibration: the speaker statistics (config, settings, errors)
    "model": 4, "calibration": 4,
    "classifier": 5, "ser_edge": 5,  # ser_edge: the package's __init__, the public API
    "stream": 6,
    "sinks": 7, "plot": 7,  # plot: pictures of events (the `plot` extra)
    "cli": 8,
    "__main__": 9,
}
#: What a stage may import from a lower stage's subpackage, when not all of it.
NARROW = {("sinks", "stream"): {"ser_edge.stream.events"}, ("plot", "stream"): {"ser_edge.stream.events"}}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``: dotted name -> file."""
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, tuple[str, ...], int]]:
    """(imported module, names taken from it, line) for every import in the file, at any depth.

    Relative imports are resolved; ``from pkg import sub`` counts as importing ``pkg.sub``
    when that is a module of the tree.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [a.name for a in node.names if f"{target}.{a.name}" in known]
            found += [(f"{target}.{sub}", (), node.lineno) for sub in subs]
            rest = tuple(a.name for a in node.names if a.name not in subs)
            if rest:
                found.append((target, rest, node.lineno))
    return found


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports."""
    tree = modules(root)
    known = set(tree)
    return {name: {t for t, _, _ in imports(name, path, known) if t in known and t != name}
            for name, path in tree.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def stage_of(module: str) -> str:
    parts = module.split(".")
    return "ser_edge" if len(parts) == 1 else parts[1]


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
    tree = modules(PACKAGE)
    offenders = [f"{name}:{line}: {target}" for name, path in tree.items()
                 for target, _, line in imports(name, path, set(tree)) if target.split(".")[0] in HEAVY]
    assert offenders == []
    assert len(tree) >= 8


def test_every_stage_is_known_and_imports_flow_one_way():
    edges = graph(PACKAGE)
    assert {stage_of(m) for m in edges} <= set(STAGES), "a new stage: add it to STAGES and the docs"
    wrong = []
    for source, targets in edges.items():
        for target in targets:
            a, b = stage_of(source), stage_of(target)
            if STAGES[b] > STAGES[a]:
                wrong.append(f"{source} -> {target} (stage {a} imports the later stage {b})")
            elif (a, b) in NARROW and target not in NARROW[a, b]:
                wrong.append(f"{source} -> {target} ({a} may take only {sorted(NARROW[a, b])} from {b})")
    assert wrong == []


def test_calibration_imports_only_config_and_errors():
    """The speaker statistics are plain numpy on the model's CalibrationSpec: no frontend, no model."""
    targets = graph(PACKAGE)["ser_edge.calibration"]
    assert targets == {"ser_edge.config", "ser_edge.errors", "ser_edge.settings"}


def test_the_arousal_valence_mapping_imports_nothing_of_the_runtime():
    """export's training imports ser_edge.model.dimensions for its heads' targets: numpy only."""
    assert graph(PACKAGE)["ser_edge.model.dimensions"] == set()


def test_the_frontend_kinds_do_not_reach_into_each_other():
    """What both kinds share is in frontend/ (protocol, dsp) or an earlier stage, not in the other kind."""
    kinds = ("ser_edge.frontend.mfcc_mean", "ser_edge.frontend.frames16k")
    wrong = [f"{source} -> {target}" for source, targets in graph(PACKAGE).items() for target in targets
             for kind in kinds if source.startswith(kind) and target.startswith(kinds)
             and not target.startswith(kind)]
    assert wrong == []


def test_no_import_cycle_in_the_runtime():
    assert cycles(graph(PACKAGE)) == []


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n")
    (pkg / "c.py").write_text("from . import a\n")
    assert cycles(graph(pkg)) == [["pkg.a", "pkg.b"]]


def test_no_module_imports_a_private_name_from_another_module():
    offenders = []
    for root in (PACKAGE, ROOT / "export"):
        tree = modules(root)
        for name, path in tree.items():
            for target, names, line in imports(name, path, set(tree)):
                private = [n for n in names if n.startswith("_") and not n.endswith("__")]
                offenders += [f"{name}:{line}: from {target} import {n}" for n in private]
    assert offenders == []


def is_shim(path: Path) -> bool:
    """A module whose body (past its docstring) is only imports and ``__all__``."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    only_names = (ast.Import, ast.ImportFrom)
    return all(isinstance(node, only_names) or (isinstance(node, ast.Assign) and
               [getattr(t, "id", None) for t in node.targets] == ["__all__"]) for node in body)


def test_no_re_export_shim_module():
    """Package ``__init__`` files state their public names; no other module only re-exports."""
    shims = [str(p.relative_to(root.parent)) for root in (PACKAGE, ROOT / "export")
             for p in sorted(root.rglob("*.py")) if p.name != "__init__.py" and is_shim(p)]
    assert shims == []


def test_every_subpackage_states_its_public_names():
    for init in sorted(PACKAGE.rglob("__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{init}: no docstring"
        names = [t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                 if isinstance(t, ast.Name)]
        assert "__all__" in names, f"{init}: no __all__"
