"""An expression of one engine rebuilt in another, through the node view of both."""

from __future__ import annotations

from typing import Any

from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL, Engine


def convert(expr: Any, source: Engine, target: Engine) -> Any:
    """expr (an expression of `source`) as an expression of `target`; undefined parts stay undefined."""
    done: dict[Any, Any] = {}

    def rebuild(e: Any) -> Any:
        found = done.get(e)
        if found is not None:
            return found
        kind, a, b = source.node(e)
        if kind == NUMBER:
            value = target.number(a, b)
        elif kind == SYMBOL:
            value = target.symbol(a)
        elif kind == CONSTANT:
            value = target.pi if a == "pi" else target.e
        elif kind == ADD:
            value = target.add([rebuild(t) for t in a])
        elif kind == MUL:
            value = target.mul([rebuild(f) for f in a])
        elif kind == POW:
            value = target.pow(rebuild(a), rebuild(b))
        elif kind == CALL:
            value = target.primitive(a, [rebuild(x) for x in b])
        else:
            value = target.divide(target.one, target.zero)
        done[e] = value
        return value

    return rebuild(expr)
