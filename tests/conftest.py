"""Shared fixtures: where ../shared/data is (skips with a reason when it is absent).

The build-time package ``export`` is not installed (the wheel holds ``ser_edge`` only), so it
is loaded from the checkout here, by name: only ``export`` comes from the checkout, while
``ser_edge`` stays the installed one that tests/run-all.sh means to test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from support.paths import AUDIO, EXAMPLES, ROOT, SEED, SHIPPED_MODEL, need


def _load_export_from_checkout() -> None:
    """Make ``import export`` find ``ROOT/export`` without putting ROOT (and its ser_edge) on sys.path."""
    if "export" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        "export", ROOT / "export" / "__init__.py", submodule_search_locations=[str(ROOT / "export")])
    module = importlib.util.module_from_spec(spec)
    sys.modules["export"] = module
    spec.loader.exec_module(module)


_load_export_from_checkout()


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return need(SEED)


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    return need(AUDIO)


@pytest.fixture(scope="session")
def example_wavs() -> list[Path]:
    need(EXAMPLES)
    return sorted(EXAMPLES.glob("*.wav"))


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    return need(SHIPPED_MODEL)
