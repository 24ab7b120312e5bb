"""The README's Quick start and the text around it as a new user reads them (issue 22, items 2,
14, 15): a virtual environment before pip, a recording that ships with the project, an API
snippet that defines what it uses, the unit's copy command from the checkout root, and a package
summary naming the runtime dependencies."""

from __future__ import annotations

import re

from support.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    """The first shell block of the Quick start, one command per line."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_makes_a_venv_before_pip_and_classifies_shipped_recordings():
    commands = quick_start_commands()
    venv = next(i for i, c in enumerate(commands) if c.startswith("python3 -m venv "))
    activate = next(i for i, c in enumerate(commands) if c.startswith(". ") and c.endswith("/bin/activate"))
    install = next(i for i, c in enumerate(commands) if c.startswith("pip install "))
    classify = next(i for i, c in enumerate(commands) if c.startswith("ser-edge classify "))
    assert venv < activate < install < classify
    files = commands[classify].split()[2:]
    assert files and all((ROOT / f).is_file() and f.startswith("examples/audio/") for f in files)
    licence = (ROOT / "examples" / "audio" / "README.md").read_text(encoding="utf-8")
    for needle in ("CC BY-NC-SA 4.0", "CC BY-NC-ND 4.0", "doi.org/10.1371/journal.pone.0196391",
                   "Livingstone", "Dupuis", *(f.rsplit("/", 1)[1] for f in files)):
        assert needle in licence
    assert sorted(p.name for p in (ROOT / "examples" / "audio").iterdir()) == sorted(
        [*(f.rsplit("/", 1)[1] for f in files), "README.md"])  # only these two recordings ship


def test_the_api_snippet_defines_what_it_uses():
    snippet = README.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert re.search(r"^samples, rate = ", snippet, flags=re.M)
    assert snippet.index("samples, rate = ") < snippet.index("clf.predict(samples, rate)")
    for path in re.findall(r'"(examples/audio/[^"]+)"', snippet):
        assert (ROOT / path).is_file()


def test_the_unit_copies_itself_from_the_checkout_and_the_summary_names_the_runtime():
    unit = (ROOT / "examples" / "ser-edge.service").read_text(encoding="utf-8")
    assert "cp examples/ser-edge.service /etc/systemd/system/" in unit
    assert "cp ser-edge.service" not in unit
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    description = re.search(r'^description = "(.*)"$', pyproject, flags=re.M).group(1)
    assert description.endswith("numpy, onnxruntime and soundfile.")
    assert "286 MiB" not in README
