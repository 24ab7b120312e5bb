"""The one way a spec dataclass states, checks and parses its settings.

Each field of a frontend spec carries a :class:`Rule` in its metadata (:func:`setting`): the
type it takes, its bounds or its choices. :func:`check_settings` (called by the spec's
``__post_init__``) checks every field when the spec is built, whether from code or from a
model file; :func:`parse_settings` builds a spec from a JSON object, refusing unknown keys;
:func:`settings_dict` is the JSON-ready inverse. Every error is a :class:`ContractError` that
names the setting, what it expects and what it got, e.g.
``frontend winstep: expected a finite number > 0, got -0.01``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import ContractError

#: The metadata key of a field's :class:`Rule`.
RULE = "ser_edge.rule"
#: A spec dataclass (what :func:`parse_settings` builds).
Spec = TypeVar("Spec")
#: The kinds of value a :class:`Rule` checks.
KINDS = ("whole", "real", "flag", "choice", "name", "reals", "spec")


def is_whole(value: object, minimum: int) -> bool:
    """Whether ``value`` is a whole number (a bool is not) >= ``minimum``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def is_real(value: object) -> bool:
    """Whether ``value`` is a finite real number (a bool is not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class Rule:
    """What one setting accepts.

    ``kind``: "whole" (an int, no bool), "real" (a finite int or float), "flag" (a bool),
    "choice" (one of ``choices``), "name" (a non-empty string), "reals" (a non-empty list of
    reals, stored as a tuple of floats) or "spec" (an instance of ``spec``, built from a JSON
    object by its ``from_dict``). ``low``/``high``: inclusive bounds of a number (each real of
    "reals"); ``above``: ``low`` itself is refused. ``optional``: None is accepted too.
    ``hint``: replaces the generic description in the error message.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    above: bool = False
    choices: tuple[object, ...] = ()
    optional: bool = False
    spec: type | None = None
    hint: str = ""

    def expected(self) -> str:
        """What the setting takes, as an error message says it."""
        if self.hint:
            text = self.hint
        elif self.kind == "choice":
            text = f"one of {list(self.choices)}"
        elif self.kind == "spec":
            text = f"an object ({getattr(self.spec, '__name__', 'spec')})"
        else:
            text = {"whole": "a whole number", "real": "a finite number", "flag": "true or false",
                    "name": "a non-empty name", "reals": "a list of finite numbers"}[self.kind]
            text += self.bounds()
        return text + (" or null" if self.optional else "")

    def bounds(self) -> str:
        """`` >= 1``, `` > 0``, `` in [0, 1]``, `` in (0, 1]`` or '' (no bounds)."""
        if self.low is not None and self.high is not None:
            return f" in {'(' if self.above else '['}{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f" {'>' if self.above else '>='} {self.low:g}"
        return f" <= {self.high:g}" if self.high is not None else ""

    def in_bounds(self, x: float) -> bool:
        low_ok = self.low is None or (x > self.low if self.above else x >= self.low)
        return low_ok and (self.high is None or x <= self.high)

    def accepts(self, value: object) -> bool:
        """Whether ``value`` is a valid value of the setting."""
        if value is None:
            return self.optional or (self.kind == "choice" and None in self.choices)
        if self.kind == "choice":
            return value in self.choices and isinstance(value, bool) == any(
                isinstance(c, bool) for c in self.choices)
        if self.kind == "reals":
            return (isinstance(value, (list, tuple)) and len(value) > 0
                    and all(is_real(v) and self.in_bounds(v) for v in value))
        checks = {"whole": lambda v: isinstance(v, int) and not isinstance(v, bool) and self.in_bounds(v),
                  "real": lambda v: is_real(v) and self.in_bounds(v),
                  "flag": lambda v: isinstance(v, bool),
                  "name": lambda v: isinstance(v, str) and bool(v),
                  "spec": lambda v: isinstance(v, self.spec)}
        return checks[self.kind](value)


def setting(default: object, kind: str, **rule: object) -> Any:
    """A dataclass field with ``default`` whose value :func:`check_settings` checks against
    ``Rule(kind, **rule)``."""
    if kind not in KINDS:
        raise ValueError(f"setting kind: expected one of {KINDS}, got {kind!r}")
    return field(default=default, metadata={RULE: Rule(kind, **rule)})


def check_settings(spec: object, what: str) -> None:
    """Check every field of the dataclass instance ``spec`` that has a :class:`Rule`;
    ContractError ``"{what} {field}: expected ..., got ..."`` for the first bad one. A "reals"
    value is stored as a tuple of floats."""
    for f in dataclasses.fields(spec):
        rule = f.metadata.get(RULE)
        if rule is None:
            continue
        value = getattr(spec, f.name)
        if not rule.accepts(value):
            raise ContractError(f"{what} {f.name}: expected {rule.expected()}, got {value!r}")
        if rule.kind == "reals" and value is not None:
            object.__setattr__(spec, f.name, tuple(float(v) for v in value))


def known_settings(cls: type, data: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Check ``data`` against the fields of dataclass ``cls``; return the known items.

    Unknown keys are an error: a feature setting this runtime does not understand could
    change the features, so guessing would silently give wrong predictions.
    """
    if not isinstance(data, Mapping):
        raise ContractError(f"{what}: expected a JSON object, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ContractError(f"{what}: unknown setting(s) {unknown}; known: {sorted(names)}")
    return dict(data)


def parse_settings(cls: type[Spec], data: Mapping[str, Any], what: str) -> Spec:
    """``cls`` built from the JSON object ``data`` (unknown keys refused; a "spec" setting
    given as an object is built with its class's ``from_dict``); checked as it is built."""
    values = known_settings(cls, data, what)
    for f in dataclasses.fields(cls):
        rule = f.metadata.get(RULE)
        if rule is not None and rule.kind == "spec" and isinstance(values.get(f.name), Mapping):
            values[f.name] = rule.spec.from_dict(values[f.name])
    return cls(**values)


def settings_dict(spec: object) -> dict[str, Any]:
    """A JSON-ready dict of every setting: tuples become lists, a "spec" setting its
    ``to_dict()`` (left out when None)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        rule = f.metadata.get(RULE)
        if rule is not None and rule.kind == "spec":
            if value is not None:
                out[f.name] = value.to_dict()
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out
