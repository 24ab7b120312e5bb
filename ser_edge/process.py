"""Process-wide settings that make the frames16k frontend cheap on a shared CPU.

Two settings belong to the process, not to one classifier, so the library applies them only
where it owns the process (the ``ser-edge`` command and its ``--jobs`` workers) or where the
embedder asks:

* :func:`single_thread_blas` — numpy's BLAS on one thread, as the ONNX Runtime sessions:
  OpenBLAS would otherwise run the frame features' and the speech detector's matrix products
  on every core and keep those threads spinning (3x the CPU time of one utterance). An
  environment variable only takes effect before numpy is first imported, so ``import ser_edge``
  calls this first thing; a value the caller has set wins.
* :func:`tune_allocator` — glibc's malloc hands freed blocks over 128 KiB back to the kernel and
  maps them again for the next utterance; those page faults were ~2 of the ~10 ms of CPU per
  3 s utterance at 48 kHz. After this call blocks under 4 MiB come from the heap, which keeps
  up to 8 MiB free (peak RSS unchanged). Skipped when any ``MALLOC_*`` variable is set or the
  C library is not glibc.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: The BLAS/OpenMP thread-count variables set to "1" unless the caller set them.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: glibc's mallopt parameters and the values tune_allocator sets (bytes).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
TRIM_THRESHOLD_BYTES, MMAP_THRESHOLD_BYTES = 8 << 20, 4 << 20


def single_thread_blas() -> None:
    """Default the BLAS/OpenMP thread counts to 1 (effective before numpy's first import)."""
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


def tune_allocator() -> bool:
    """Keep freed blocks under 4 MiB in glibc's heap; True when applied, False when skipped
    (not Linux, not glibc, or a ``MALLOC_*`` variable says the user tunes malloc already)."""
    if not sys.platform.startswith("linux") or any(k.startswith("MALLOC_") for k in os.environ):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc; other C libraries lack it
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)) and bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
