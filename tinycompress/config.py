"""One validator from plain values (a recipe's TOML tables, `--set` pairs, CLI flags) to the
config dataclasses (recipe sections, compression stages, [firmware], [evaluate]).

A dataclass's fields are its keys, their annotations its types and their defaults the
defaults: nothing about an option is written anywhere else. An unknown key or a value of the
wrong type raises TinyCompressError naming the key and where it came from.
"""
from __future__ import annotations

import dataclasses
import types
import typing

from .errors import TinyCompressError

# base type -> does this value (as TOML or Python literal syntax gives it) fit?
_FITS = {
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
    list: lambda v: isinstance(v, (list, tuple)),
    tuple: lambda v: isinstance(v, (list, tuple)),
    dict: lambda v: isinstance(v, dict),
}


def _type_name(tp) -> str:
    return getattr(tp, "__name__", str(tp))


def coerce(value, tp, key: str, where: str):
    """Check one value against a dataclass annotation; ints are accepted for floats."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for option in [a for a in typing.get_args(tp) if a is not type(None)]:
            try:
                return coerce(value, option, key, where)
            except TinyCompressError as exc:
                errors.append(exc)
        raise errors[0]
    base = origin or tp
    fits = _FITS.get(base)
    if fits is None:           # Any or a type TOML cannot express: accept as written
        return value
    if not fits(value):
        raise TinyCompressError(f"{where}: key '{key}' must be {_type_name(base)}, got "
                                f"{type(value).__name__} {value!r}")
    if base is float:
        return float(value)
    if base in (list, tuple):
        (item,) = typing.get_args(tp)[:1] or (None,)
        if item is not None:
            value = [coerce(v, item, f"{key}[{i}]", where) for i, v in enumerate(value)]
        return tuple(value) if base is tuple else list(value)
    return value


def keys(cls) -> dict:
    """{key: annotation} of the fields a user may set."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


def default(cls, key: str):
    """The default of field `key` of dataclass `cls` (the one place it is written)."""
    for f in dataclasses.fields(cls):
        if f.name == key:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
    raise KeyError(f"{cls.__name__} has no field {key!r} with a default")


def build(cls, table, where: str):
    """An instance of dataclass `cls` from a dict; unknown keys and wrong types fail, then the
    instance's own `validate()` (if any) checks ranges and choices."""
    if isinstance(table, cls):
        return table
    if not isinstance(table, dict):
        raise TinyCompressError(f"{where}: must be a table ([section]), got {type(table).__name__}")
    known = keys(cls)
    kwargs = {}
    for key, value in table.items():
        if key not in known:
            raise TinyCompressError(f"{where}: unknown key '{key}'; known keys: "
                                    f"{', '.join(sorted(known))}")
        kwargs[key] = coerce(value, known[key], key, where)
    try:
        config = cls(**kwargs)
        if hasattr(config, "validate"):
            config.validate()
    except (TinyCompressError, TypeError, ValueError) as exc:
        raise TinyCompressError(f"{where}: {exc}") from None
    return config
