"""Fixed and record-derived text sections of the model card (see :mod:`export.card`)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
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


#: The corpora the feature sets are made from: official name, download page, licence, citation.
CORPORA = {
    "ravdess": "RAVDESS (The Ryerson Audio-Visual Database of Emotional Speech and Song), "
    "<https://zenodo.org/records/1188976> (Zenodo record 1188976): CC BY-NC-SA 4.0; "
    "Livingstone & Russo (2018), PLoS ONE, doi:10.1371/journal.pone.0196391",
    "tess": "TESS (Toronto emotional speech set), University of Toronto, "
    "<https://tspace.library.utoronto.ca/handle/1807/24487>: CC BY-NC-ND 4.0; "
    "Dupuis & Pichora-Fuller (2010)",
}


def data_section(training: dict[str, Any]) -> str:
    """Where the training rows come from: the corpora with their download pages and licences.

    No path of the building machine: the data folder is named in "How to regenerate" only.
    """
    data = training.get("data", {})
    head = "## Data and licences\n\n"
    if "rows" not in data:
        return head + f"Source: `{Path(str(data.get('source', '?'))).name}`. {data.get('note', '')}\n"
    groups = ", ".join(f"{name}: {count}" for name, count in data.get("groups", {}).items())
    corpora = sorted({name.split()[0] for name in data.get("groups", {})})
    known = [CORPORA[c] for c in corpora if c in CORPORA]
    licences = "\n".join(f"- {text}" for text in known or data.get("licences", []))
    return (
        head + f"Trained on {data.get('trained_rows', '?')} of the {data.get('rows', '?')} rows of the "
        "original project's feature set: one row per recording, the mean over frames of 40 MFCCs "
        f"(rows per group: {groups or 'not recorded'}; fingerprint "
        f"`{data.get('sha256_X_y_float32_int64', '?')}`).\n\n"
        "The recordings come from these corpora (download them from their official pages). The model is "
        "a derivative of them, so their licences apply to it: **non-commercial use only**.\n\n"
        f"{licences or '- not recorded'}\n"
    )


#: Recipe settings that only one architecture uses; the card lists only the model's own.
ARCH_SETTINGS = {
    "mlp": ("hidden", "batchnorm"),
    "conv": ("filters", "kernel_size", "pool_size", "dense_units"),
}

#: What each recipe setting means, in plain words (see :class:`export.recipe.Recipe`).
SETTING_TEXT = {
    "name": "the recipe's name (`python -m export train --recipe NAME`)",
    "arch": "the network: `mlp` = fully connected layers, `conv` = 1-D convolutions",
    "hidden": "units of each hidden layer, in order",
    "batchnorm": "batch normalisation after each hidden layer",
    "filters": "channels of each convolution block",
    "kernel_size": "convolution kernel width (coefficients)",
    "pool_size": "max-pooling width between convolution blocks",
    "dense_units": "units of the dense layer after the convolutions (0: none)",
    "dropout": "share of units dropped at random during training",
    "normalize": "standardise each coefficient inside the model (the training set's mean and variance)",
    "l2": "weight decay on the layer weights (0: none)",
    "optimizer": "the optimiser",
    "learning_rate": "its step size",
    "batch_size": "rows per training step",
    "epochs": "passes over the training rows",
    "class_weights": "weight each class by its inverse frequency",
    "label_smoothing": "share of each target moved evenly to the other classes",
    "aug_copies": "extra augmented copies of every training row",
    "aug_gain_db": "random gain of up to this many dB (0: off)",
    "aug_tilt_db": "random spectral tilt of up to this many dB across the band (0: off)",
    "aug_bandlimit": "probability of removing everything above 8 kHz, approximated from the MFCCs (0: off)",
    "aug_bandmap": "probability of the 16 kHz microphone effect learned from real audio (0: off)",
}


def network_text(recipe: dict[str, Any]) -> str:
    """The network of ``recipe`` in one plain sentence."""
    if recipe.get("arch") == "mlp":
        widths = ", ".join(map(str, recipe.get("hidden", [])))
        norm = "batch normalisation, " if recipe.get("batchnorm") else ""
        text = (f"The network is a multilayer perceptron: fully connected layers of {widths} units (each "
                f"followed by {norm}ReLU and dropout), then a softmax over the classes.")
    else:
        text = ("The network is a stack of 1-D convolution blocks (ReLU, dropout) with max-pooling between "
                "them, then a softmax over the classes.")
    if recipe.get("normalize"):
        text += (" The training set's mean and variance of each coefficient are stored inside the model, "
                 "so it takes raw features.")
    return text


def recipe_section(training: dict[str, Any]) -> str:
    """How the network was built and trained: its layers in words and the settings it used."""
    recipe = training.get("recipe")
    if not recipe:
        return ""
    others = {key for arch, keys in ARCH_SETTINGS.items() if arch != recipe.get("arch") for key in keys}
    rows = "\n".join(f"| `{key}` | `{json.dumps(value)}` | {SETTING_TEXT.get(key, '')} |"
                     for key, value in recipe.items() if key not in others)
    band = training.get("band_map")
    band_text = (
        " The 16 kHz augmentation (`aug_bandmap`, `export/mfcc_mean/bandmap.py`) was learned from "
        f"{band.get('files')} unlabeled recordings (the `--band-audio` folder "
        f"`{Path(str(band.get('audio'))).name}`): their features at full band and after resampling to "
        f"{band.get('rate_hz')} Hz."
        if band
        else ""
    )
    return (
        "## Recipe\n\n"
        f"Keras 3, random seed {training.get('seed', '?')}. {network_text(recipe)} The `aug_*` settings "
        f"add changed copies of the training rows (see `export/mfcc_mean/augment.py`).{band_text}\n\n"
        "| setting | value | meaning |\n| --- | --- | --- |\n" + rows + "\n"
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


#: where the training command's data options live inside ``$SER_EDGE_DATA`` (the documented layout)
DATA_OPTIONS = {"--features": "$SER_EDGE_DATA/", "--band-audio": "$SER_EDGE_DATA/audio/"}
#: the options naming the files a training command writes: the model, and its card
OUTPUT_OPTIONS = ("-o", "--output")
CARD_OPTIONS = ("--card",)


def _renamed(value: str, name: str) -> str:
    """``value`` (a path) with its file name replaced by ``name``, its folder kept."""
    folder = Path(value).parent
    return name if str(folder) == "." else str(folder / name)


def portable_command(training: dict[str, Any], model: str | None = None, card: str | None = None) -> str:
    """The recorded training command with its data folders under ``$SER_EDGE_DATA``, and the
    files it writes named ``model`` and ``card`` (file names; the recorded folders are kept).

    The building machine's paths mean nothing elsewhere: ``--features DIR`` becomes
    ``$SER_EDGE_DATA/<name of DIR>`` and ``--band-audio DIR`` ``$SER_EDGE_DATA/audio/<name>``.
    A model renamed after training (the seed model was once ``ser_edge.onnx`` with the card
    ``README.md``) is regenerated under its own names, never over another model's files.
    """
    words = shlex.split(str(training.get("command", "?")))
    for i, word in enumerate(words[:-1]):
        if word in DATA_OPTIONS:
            words[i + 1] = DATA_OPTIONS[word] + Path(words[i + 1]).name
        elif word in OUTPUT_OPTIONS and model:
            words[i + 1] = _renamed(words[i + 1], model)
        elif word in CARD_OPTIONS and card:
            words[i + 1] = _renamed(words[i + 1], card)
    return " ".join(w if w.startswith("$SER_EDGE_DATA/") else shlex.quote(w) for w in words)


def regenerate_section(training: dict[str, Any], model: str, card: str) -> str:
    """For developers: the command that writes the model (file name ``model``) and its card (file
    name ``card``), and the time it took."""
    fit = training.get("final_fit", {})
    total = training.get("total_seconds")
    timing = (
        f"It took {total / 60:.1f} min in total ({fit.get('seconds', 0) / 60:.1f} min for the final fit) "
        f"on {training.get('machine', 'the build machine')}, CPU only."
        if total
        else ""
    )
    return (
        "## How to regenerate (for developers)\n\n"
        "From a checkout, with `pip install '.[export]'` and a data folder `$SER_EDGE_DATA` holding "
        "`seed/` (the feature set: `X.joblib`, `y.joblib`, `metadata.csv`) and `audio/tess/` (TESS "
        "recordings, for the 16 kHz augmentation); without `SER_EDGE_DATA` the tests and benchmarks "
        "look for `../shared/data` beside the checkout:\n\n"
        f"```\n{portable_command(training, model, card)}\n```\n\n{timing}\n"
        f"Tools: {', '.join(f'{k} {v}' for k, v in training.get('model', {}).get('tools', {}).items())}.\n"
    )
