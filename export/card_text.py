"""Fixed and record-derived text sections of the model card (see :mod:`export.card`)."""

from __future__ import annotations

import json
from typing import Any

KNOWN_LIMITS = """## Known limits

- **Acted speech.** RAVDESS and TESS are actors reading fixed sentences or words in a studio.
  Spontaneous speech, conversation and noisy rooms are expressed differently; expect lower
  accuracy on them than the speaker-independent figures above.
- **English, few voices.** 24 RAVDESS actors (North American English, 12 male, 12 female) and
  2 TESS speakers (both female, Canadian English). Other languages, accents, children and
  elderly male voices are not represented.
- **Class coverage differs by corpus.** `calm` exists only in RAVDESS; TESS has no `calm`,
  and 53% of the rows are TESS (two speakers), so the overall figures are dominated by them.
  RAVDESS speech alone is the harder, more honest figure.
- **Features are fixed.** The model takes the mean over frames of 40 MFCCs of audio resampled
  to 22050 Hz with `kaiser_fast` (see the frontend above). Other sample rates must be
  resampled by the runtime; a different resampler or feature code shifts predictions.
  Audio without content above 8 kHz (16 kHz microphones) differs from the training data
  (recipes with `aug_bandmap` are trained for it; the measured effect is in the 16 kHz section
  when the card has one).
- **One label per utterance.** The feature is a mean over the whole clip; mixed emotions,
  silence and long recordings are averaged together.
- **Not for decisions about people.** Emotion recognition from voice is unreliable across
  people and cultures; do not use it for hiring, surveillance, health or legal decisions.
"""


def data_section(training: dict[str, Any]) -> str:
    data = training.get("data", {})
    head = "## Data and licences\n\n"
    if "rows" not in data:
        return head + f"Source: `{data.get('source', '?')}`. {data.get('note', '')}\n"
    groups = ", ".join(f"{name}: {count}" for name, count in data.get("groups", {}).items())
    licences = "\n".join(f"- {text}" for text in data.get("licences", []))
    return (
        head + f"Trained on {data.get('trained_rows', '?')} of the {data.get('rows', '?')} rows of the "
        f"original project's feature set (`{data.get('source', '?')}`; rows per group: "
        f"{groups or 'not recorded'}; "
        f"fingerprint `{data.get('sha256_X_y_float32_int64', '?')}`).\n\n"
        "The model is a derivative of these corpora; their licences (non-commercial) apply to it:\n\n"
        f"{licences or '- not recorded'}\n"
    )


def recipe_section(training: dict[str, Any]) -> str:
    recipe = training.get("recipe")
    if not recipe:
        return ""
    rows = "\n".join(f"| `{key}` | `{json.dumps(value)}` |" for key, value in recipe.items())
    if recipe.get("arch") == "mlp":
        body = (
            f"Flatten, then Dense layers of {recipe.get('hidden')} units (each with "
            f"{'BatchNormalization, ' if recipe.get('batchnorm') else ''}ReLU and dropout), dense softmax"
        )
    else:
        body = (
            "Conv1D blocks (kernel, 'same', ReLU, dropout) with max-pooling between them, flatten, "
            "dense softmax"
        )
    band = training.get("band_map")
    band_text = (
        f" The band map (`aug_bandmap`, `export/bandmap.py`) was learned from {band.get('files')} unlabeled "
        f"recordings of `{band.get('audio')}`: their features by the runtime frontend at full band and after "
        f"resampling to {band.get('rate_hz')} Hz."
        if band
        else ""
    )
    return (
        "## Recipe\n\n"
        f"Keras 3, seed {training.get('seed', '?')}. {body}; `normalize` puts the training set's "
        "per-coefficient mean and variance inside the model (constants of the ONNX graph); `aug_*` are "
        f"feature-domain augmentations (see `export/augment.py`).{band_text}\n\n"
        "| setting | value |\n| --- | --- |\n" + rows + "\n"
    )


def contract_section(labels: tuple[str, ...], frontend: dict[str, Any], training: dict[str, Any]) -> str:
    model = training.get("model", {})
    settings = ", ".join(f"`{k}={json.dumps(v)}`" for k, v in frontend.items())
    return (
        "## Input / output contract\n\n"
        f"- Input `features`: {model.get('input', 'float32 [batch, 40, 1]')}, dynamic batch. One row is the "
        "mean over frames of the MFCCs of one utterance, raw (not standardised: any scaling is inside "
        "the model).\n"
        f"- Output `scores`: {model.get('output', 'softmax')}, in the order of `ser_edge.labels`: "
        f"`{json.dumps(list(labels))}`.\n"
        "- `metadata_props` (JSON strings): `ser_edge.labels`, `ser_edge.frontend`, `ser_edge.training` "
        "(this card is generated from them: `python -m export card MODEL.onnx -o README.md`).\n"
        f"- Frontend (`ser_edge.frontend`): {settings}.\n"
    )


def regenerate_section(training: dict[str, Any]) -> str:
    fit = training.get("final_fit", {})
    total = training.get("total_seconds")
    timing = (
        f"It took {total / 60:.1f} min in total ({fit.get('seconds', 0) / 60:.1f} min for the final fit) "
        f"on {training.get('machine', 'the build machine')}, CPU only."
        if total
        else ""
    )
    return (
        "## How to regenerate\n\n"
        "From the project root, with `pip install 'ser-edge[export]'` and the data beside the project:\n\n"
        f"```\n{training.get('command', '?')}\n```\n\n{timing}\n"
        f"Tools: {', '.join(f'{k} {v}' for k, v in training.get('model', {}).get('tools', {}).items())}.\n"
    )
