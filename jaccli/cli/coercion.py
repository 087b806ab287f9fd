"""Plain conversion of option values, so that running a command does not import pydantic.

Typer converts every parameter value through a pydantic `TypeAdapter`, built on first use: on a
two-core machine importing pydantic and building the adapters costs about 80-100 ms, a quarter of
a whole `jac grad` run and most of a shell-completion request. jac's options are all of a few
plain types (str, int, float, bool, an Enum of choices, a list of str), which this module converts
directly. A value it cannot convert (`--order abc`) goes to typer's own converter, so every error
message stays typer's. typer's converter is private API: if typer's internals differ from what this
expects in any way (an import, an attribute, a signature), nothing is changed and typer converts as it
always does. pyproject.toml pins typer to the versions this is tested with.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any, get_args, get_origin

import typer

_INTEGER = re.compile(r"-?[0-9]+\Z")
_DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")

try:  # typer >= 0.20 converts through pydantic; older versions need none of this
    from typer import Context
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer.core import _TyperParameter
except Exception:  # pragma: no cover - depends on the installed typer
    RuntimeParam = None  # type: ignore[assignment,misc]


def handles(annotation: Any) -> bool:
    """Whether the annotation is one of the plain types converted here."""
    if annotation in (str, bool, int, float):
        return True
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return True
    return get_origin(annotation) is list and get_args(annotation) == (str,)


def _plain(annotation: Any, value: Any) -> tuple[bool, Any]:
    """(True, converted) where the value converts without doubt, else (False, None)."""
    if annotation is str or annotation is bool:
        return (True, value) if isinstance(value, annotation) else (False, None)
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return True, value
        if isinstance(value, str) and _INTEGER.match(value):
            return True, int(value)
        return False, None
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, float(value)
        if isinstance(value, str) and _DECIMAL.match(value):
            return True, float(value)
        return False, None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if isinstance(value, annotation):
            return True, value
        for member in annotation:
            if member.value == value:
                return True, member
        return False, None
    is_strings = get_origin(annotation) is list and get_args(annotation) == (str,)
    if is_strings and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return True, list(value)
    return False, None


if RuntimeParam is not None:

    class PlainRuntimeParam(RuntimeParam):
        """Converts plain values itself and hands anything else to typer's pydantic converter."""

        def _coerce_value(self, *args: Any, **kwargs: Any) -> Any:
            value = args[0] if args else kwargs.get("value")
            try:
                done, converted = _plain(self.annotation, value)
            except Exception:  # a call this module does not know: typer's own conversion
                done, converted = False, None
            if done:
                return converted
            try:  # a value that is not plain (--order abc): typer's converter says what is wrong with it
                param = args[1] if len(args) > 1 else kwargs["param"]
                full = build_runtime_param(param.type_descriptor)
                return full._coerce_value(*args, **kwargs)
            except (typer.BadParameter, typer.Exit, typer.Abort):
                raise
            except Exception:  # typer's converter is not what this expects: still one line, not a traceback
                name = getattr(self.annotation, "__name__", str(self.annotation))
                raise typer.BadParameter(f"{value!r} is not a valid {name}") from None


def install(command: Any) -> None:
    """Give every parameter of a click command tree the plain converter (before any value is parsed);
    on any failure, leave every parameter as typer made it."""
    if RuntimeParam is None:  # pragma: no cover
        return
    replaced: list[Any] = []
    try:
        _install(command, replaced)
    except Exception:  # an unexpected typer: its own conversion everywhere
        for param in replaced:
            param._runtime_param = None


def _install(command: Any, replaced: list[Any]) -> None:
    # the --help option is made on first use; make it now so that it is converted here too
    params = command.get_params(Context(command, **getattr(command, "context_settings", None) or {}))
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if (
            isinstance(param, _TyperParameter)
            and descriptor is not None
            and handles(descriptor.annotation)
            and getattr(param, "_runtime_param", "absent") is None
        ):
            param._runtime_param = PlainRuntimeParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
            replaced.append(param)
    for sub in getattr(command, "commands", {}).values():
        _install(sub, replaced)
