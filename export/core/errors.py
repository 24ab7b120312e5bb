"""The one error type of the export tools: bad input or a missing extra, shown as one line, exit 2."""

from __future__ import annotations


class ExportError(Exception):
    """An expected failure caused by the user's input (files, shapes, options) or environment."""


def missing_extra(module: str) -> ExportError:
    """The error for an optional package that is not installed, naming the pip extra that adds it."""
    return ExportError(f"the optional package '{module}' is not installed: pip install 'ser-edge[export]'")
