"""ser_edge.process: the process-wide settings the command line applies."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from ser_edge import process


def test_single_thread_blas_defaults_to_one_and_keeps_the_callers_value(monkeypatch):
    for variable in process.BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    process.single_thread_blas()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "3"


def test_import_sets_the_blas_default_before_numpy_loads():
    code = "import os, sys; import ser_edge; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k == "PYTHONPATH"}  # no BLAS variable inherited
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_tune_allocator_steps_aside_for_a_users_malloc_settings(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    assert process.tune_allocator() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt is Linux-only")
def test_tune_allocator_applies_on_glibc(monkeypatch):
    for key in [k for k in os.environ if k.startswith("MALLOC_")]:
        monkeypatch.delenv(key)
    if platform.libc_ver()[0] != "glibc":
        pytest.skip(f"C library is {platform.libc_ver()[0] or 'unknown'}, not glibc")
    assert process.tune_allocator() is True
