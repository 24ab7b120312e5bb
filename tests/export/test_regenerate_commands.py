"""Every regenerate command in the model docs (``models/*.md``, fenced code blocks) is one the
export parser accepts, and a model card's commands write only that card's own files: its model
(and int8 variant), the card itself and the card's folder (its PNGs), never another model's.

The seed card once told developers to write ``-o models/ser_edge.onnx --card models/README.md``,
the default model and its card, because the seed model was the default when it was trained.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from support.paths import ROOT

MODELS = ROOT / "models"
PREFIX = ["python", "-m", "export"]
#: The options whose values are files or folders a command writes.
OUTPUT_OPTIONS = ("-o", "--output", "--card", "--figures")
CARD_TITLE = re.compile(r"^# Model card: `([^`]+)`")


def fenced_commands(text: str) -> list[list[str]]:
    """The ``python -m export`` commands (arguments after ``export``) in ``text``'s code blocks,
    continuation lines (ending in a backslash) joined."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    joined = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    return [words[3:] for words in map(shlex.split, joined) if words[:3] == PREFIX]


def outputs(argv: list[str]) -> list[str]:
    """The values of the :data:`OUTPUT_OPTIONS` in ``argv`` (``-o X`` and ``--output=X`` forms)."""
    found = []
    for i, word in enumerate(argv):
        option, sep, value = word.partition("=")
        if option in OUTPUT_OPTIONS:
            found.append(value if sep else argv[i + 1])
    return found


def own_files(card: Path) -> set[str]:
    """What a model card's commands may write: its model, the int8 variant, itself, its folder."""
    match = CARD_TITLE.match(card.read_text(encoding="utf-8"))
    assert match, f"{card.name} has no '# Model card: `FILE`' title"
    model = Path(match.group(1))
    folder = card.parent.name
    return {f"{folder}/{model.name}", f"{folder}/{model.stem}_int8.onnx", f"{folder}/{card.name}",
            folder, f"{folder}/"}


def foreign_outputs(argv: list[str], card: Path) -> list[str]:
    """The outputs of ``argv`` that are not ``card``'s own files."""
    return [out for out in outputs(argv) if out not in own_files(card)]


def _cards() -> list[Path]:
    return sorted(p for p in MODELS.glob("*.md") if CARD_TITLE.match(p.read_text(encoding="utf-8")))


DOC_COMMANDS = [
    pytest.param(doc, argv, id=f"{doc.name}:{' '.join(argv[:1])}:{k}")
    for doc in sorted(MODELS.glob("*.md"))
    for k, argv in enumerate(fenced_commands(doc.read_text(encoding="utf-8")))
]


def test_every_model_card_has_regenerate_commands() -> None:
    cards = {card.name: fenced_commands(card.read_text(encoding="utf-8")) for card in _cards()}
    assert set(cards) == {"README.md", "seed.md"}  # README.md: the default model's (v2)
    assert all(cards.values()), cards


@pytest.mark.parametrize(("doc", "argv"), DOC_COMMANDS)
def test_the_export_parser_accepts_the_command(doc: Path, argv: list[str], capsys) -> None:
    pytest.importorskip("tf_keras", reason="the export commands import tf_keras (the export extra)")
    from export.cli import build_parser

    try:
        args = build_parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"{doc.name}: python -m export {shlex.join(argv)}: {capsys.readouterr().err.strip()}")
    assert args.command == argv[0]


@pytest.mark.parametrize(("doc", "argv"), DOC_COMMANDS)
def test_a_command_writes_only_its_own_cards_files(doc: Path, argv: list[str]) -> None:
    cards = _cards()
    if doc in cards:
        assert foreign_outputs(argv, doc) == [], f"{doc.name}: python -m export {shlex.join(argv)}"
    else:  # notes beside the cards: never over a card's model or the card
        taken = set().union(*(own_files(card) - {"models", "models/"} for card in cards))
        assert not taken & set(outputs(argv)), f"{doc.name}: python -m export {shlex.join(argv)}"


def test_the_old_seed_command_is_caught() -> None:
    old = ("```\npython -m export train --features $SER_EDGE_DATA/seed -o models/ser_edge.onnx \\\n"
           "    --recipe mlp_bandmap --card models/README.md\n```\n")
    (argv,) = fenced_commands(old)
    assert outputs(argv) == ["models/ser_edge.onnx", "models/README.md"]
    assert foreign_outputs(argv, MODELS / "seed.md") == ["models/ser_edge.onnx", "models/README.md"]
    assert foreign_outputs(argv, MODELS / "README.md") == []
