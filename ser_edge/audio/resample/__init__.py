"""Resampling to the model rate with numpy/scipy, reproducing resampy bit for bit: one resampler.

The shipped model's training features (seed/X.joblib, 2020) were computed by
``librosa.load(path, res_type='kaiser_fast')`` with the resampy of that time (<= 0.2.2),
whose ``kaiser_fast`` filter is NOT the one of resampy >= 0.3:

============================  =====  =========  ==================  ==================
method                        zeros  per zero   Kaiser beta         rolloff
============================  =====  =========  ==================  ==================
``kaiser_fast`` (training)    16     512        8.555504641634386   0.85
``resampy04_kaiser_fast``     24     512        9.90322441645528    0.868212038837778
``kaiser_best``               50     8192       12.98458524704001   0.917347371260876
============================  =====  =========  ==================  ==================

``kaiser_fast`` is the contract name of the training resampler: with it the runtime's
features of the shared recordings equal their stored rows of X to ~5e-4 (with resampy
0.4.3's filter they differ by up to 1.3 and the original model changes its answer on ~4 %
of files). ``resampy04_kaiser_fast`` / ``kaiser_best`` reproduce resampy 0.4.3 (what
``librosa.load(res_type=...)`` gives today). After resampling, librosa's ``fix_length``
trims or zero-pads to ``ceil(n * sr_out / sr_in)`` samples. The interpolator is resampy's:

* the filter table is the right wing of a Kaiser-windowed sinc, ``precision`` entries per
  zero crossing (rebuilt from the parameters above; a test checks the 0.4.3 tables against
  resampy's ``data/*.npz`` to ~1e-15), scaled by the rate ratio when
  downsampling, linearly interpolated with ``interp_delta = diff(table, append=table[-1])``;
* every output sample ``t`` sits at input time ``t * (1 / ratio)`` computed in float64,
  as resampy does. The left wing weights ``x[n - i]`` and the right wing ``x[n + k + 1]``;
  the table stride ``index_step = int(scale * precision)`` is truncated while the
  fractional offset uses the exact ``scale``, and each wing stops at
  ``(len(table) - offset) // index_step`` taps or at the signal edge (zero padding).

Because the taps depend on float rounding of each output's time (the integer part can
round down at exact phase-0 points; offsets flip at exact table points), the weights are
computed per output sample from the same float64 expressions resampy evaluates, in
bounded-size chunks. The sum is accumulated per tap in resampy's order with float32
rounding after every step when the input is float32, as resampy's numba loop does: the
output equals resampy's bit for bit in the tests (x86_64).

``method="polyphase"`` is ``scipy.signal.resample_poly`` with its default Kaiser window
(the resampler the 16 kHz frame models were trained with), reimplemented in numpy by
:func:`resample_polyphase` (importing scipy.signal costs ~0.6 s): not the training resampler
of the MFCC-mean model (features differ).

The package holds one module per method family and the streaming wrapper:

- :mod:`.resampy`: resampy's filter tables, the kernel per rate pair and resampy's exact
  per-sample loop (:func:`resample_exact`);
- :mod:`.bank`: the per-phase tap bank, the fast path for rational rate ratios (the weights of
  every output phase computed once from resampy's own float64 time arithmetic and applied
  with matrix products; outputs whose time rounds differently from their phase's are
  recomputed with the exact arithmetic);
- :mod:`.polyphase`: ``resample_poly``'s phase table applied the same way
  (:func:`resample_polyphase`);
- :mod:`.buffers`: the one method list (:data:`METHODS`) and :func:`resample` for a whole buffer;
- :mod:`.stream`: :class:`StreamResampler`, the same tap bank or phase table applied to a
  stream block by block (rate pairs or methods without either: :class:`ChunkedPeriods`,
  :func:`resample` period by period with carried context), so every rate pair and method streams.

An unknown method is a :class:`~ser_edge.errors.ContractError` everywhere (a model names its
resampler).
"""

from __future__ import annotations

from .bank import (
    BANK_METHODS,
    STRAGGLER_CACHE,
    StragglerSearch,
    TapBank,
    straggler_search,
    stragglers,
    tap_bank,
)
from .buffers import METHODS, check_method, output_length, resample
from .polyphase import polyphase_filter, resample_polyphase
from .resampy import FILTERS, Kernel, filter_table, interpolation_kernel, resample_exact
from .stream import ChunkedPeriods, StreamResampler

__all__ = [
    "BANK_METHODS", "FILTERS", "METHODS", "STRAGGLER_CACHE", "ChunkedPeriods", "Kernel", "StragglerSearch",
    "StreamResampler", "TapBank", "check_method", "filter_table", "interpolation_kernel", "output_length",
    "polyphase_filter", "resample", "resample_exact", "resample_polyphase", "straggler_search", "stragglers",
    "tap_bank",
]
