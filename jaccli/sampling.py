"""The points at which `jac check` compares an answer with the computed entry, where no proof decides.

Two kinds of points, all in the domain of the problem's functions and drawn with a fixed seed (a
check gives the same verdict and shows the same points every time):

- random points spread over every scale: coordinates near 0 and far from it (from 10**-6 to
  10**9), of both signs, and in the boxes where the usual domains live (around 0, positive, inside
  [-1, 1], beyond 1), each a decimal of three or four significant digits, never 0 or ±1 (see
  `_draw_point` for the mix);
- the branch changes of the piecewise functions (abs, sign, heaviside, max, min, relu, floor,
  ceiling) of the entry and of the answer: where an argument is 0 (for max and min, where two
  arguments are equal; for floor and ceiling, where it is a whole number). A linear argument is
  solved exactly for each of its variables; any other is followed along lines through random points,
  over the same scales, and each sign change is narrowed down by bisection. Around each such point
  the sampler adds points on both sides, near and far (10**-6, 10**-2 and 1/2 of its size), and
  on each line a point halfway between neighbouring branch changes (a window between two kinks).

A perturbation that changes an answer only on part of the domain (`relu(x - 10)`, a step far from
0) thus meets a point where it shows.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from jaccli.engine.base import ADD, CALL, MUL, NUMBER, SYMBOL, Engine, distinct_parts
from jaccli.errors import LimitError
from jaccli.numeric import Evaluator

SAMPLES = 60  # random points where the functions are defined
CANDIDATES = 40 * SAMPLES  # random draws allowed to find them
DIGITS = 30  # working precision of the comparisons (a cancellation is confirmed at more, see numeric)
SEED = 20240601
# Boxes around the usual domains: around 0, positive (log, sqrt), inside [-1, 1] (asin, atanh), beyond 1 (acosh).
_BOXES = ((-3, 3), (0, 3), (-1, 1), (1, 4))
_SMALLEST, _LARGEST = -6, 9  # powers of ten of the coordinates drawn at every scale
_PIECEWISE = frozenset({"abs", "sign", "heaviside", "floor", "ceiling", "max", "min"})
_BASES = 3  # random points the lines through which are searched for branch changes
_ARGUMENTS = 16  # piecewise arguments searched per comparison, at most
_CROSSINGS = 4  # sign changes followed per line, at most
_REMEMBERED = 200_000  # values remembered at the random points, across answers, before they are dropped
_SIDES = (Fraction(1, 10**6), Fraction(1, 100), Fraction(1, 2))  # offsets on both sides of a branch change
_STEPS = tuple(sorted({s * Fraction(10) ** k for k in range(_SMALLEST, _LARGEST + 4) for s in (1, -1)} | {Fraction(0)}))


@dataclass(frozen=True)
class Point:
    """A point of the domain: its exact coordinates, an evaluator there, and whether a piecewise
    function changes branch exactly there (the derivative at a kink is a convention: see `jaccli.check`)."""

    values: tuple[Fraction, ...]
    evaluator: Evaluator
    kink: bool = False
    branch: bool = False  # at, around or between branch changes (not a random point)


class Sampler:
    """Random points of the domain of a result's functions, and the branch changes of expressions."""

    def __init__(self, engine: Engine, names: Sequence[str], functions: Sequence[Any], seed: int = SEED) -> None:
        self.engine = engine
        self.names = tuple(names)
        self.functions = tuple(functions)
        self.seed = seed
        self._random: list[Point] | None = None
        self._zeros_found: dict[Any, list[tuple[tuple[int, int], tuple[Fraction, ...], bool]]] = {}
        self._arguments: dict[Any, tuple[Any, ...]] = {}
        self._points: dict[tuple[tuple[Fraction, ...], bool], Point | None] = {}
        self._precise: dict[tuple[tuple[Fraction, ...], int], Evaluator] = {}

    # -- random points ------------------------------------------------------------------------------

    @property
    def random_points(self) -> list[Point]:
        """Up to SAMPLES points where every function is defined."""
        if self._random is None:
            draw = random.Random(self.seed)
            found: list[Point] = []
            for _ in range(CANDIDATES):
                point = self.point(_draw_point(draw, len(self.names)))
                if point is not None:
                    found.append(point)
                    if len(found) == SAMPLES:
                        break
            # points of moderate size first: the first point where an answer differs is the one shown
            found.sort(key=lambda p: max((_size(v) for v in p.values), default=0))
            self._random = found
        return self._random

    def point(self, values: tuple[Fraction, ...], kink: bool = False, branch: bool = False) -> Point | None:
        """The point, if every function has a value there (a value too large to compute has none)."""
        evaluator = Evaluator(self.engine, dict(zip(self.names, values)), digits=DIGITS)
        try:
            if any(evaluator.value(f) is None for f in self.functions):
                return None
        except LimitError:
            return None
        return Point(values, evaluator, kink, branch)

    # -- branch changes -----------------------------------------------------------------------------

    def points_for(self, expressions: Iterable[Any]) -> list[Point]:
        """The random points, then the points at and around the branch changes of the piecewise
        functions in the expressions, and halfway between neighbouring branch changes on a line."""
        points = list(self.random_points)
        arguments: dict[Any, None] = {}
        for expr in expressions:
            arguments.update(dict.fromkeys(self.arguments(expr)))
        lines: dict[tuple[int, int], set[tuple[Fraction, ...]]] = {}
        for argument in list(arguments)[:_ARGUMENTS]:
            for line, values, exact in self._zeros(argument):
                lines.setdefault(line, set()).add(values)
                points.extend(self._around(values, line[1], exact))
        for (_, k), found in lines.items():
            ordered = sorted(found, key=lambda values: values[k])
            for low, high in itertools.pairwise(ordered):
                if high[k] != low[k]:
                    middle = self._point(_moved(low, k, (high[k] - low[k]) / 2))
                    if middle is not None:
                        points.append(middle)
        return points

    def precise(self, point: Point, digits: int) -> Evaluator:
        """An evaluator at the point with more digits, from the exact coordinates (remembered)."""
        key = (point.values, digits)
        found = self._precise.get(key)
        if found is None:
            found = Evaluator(self.engine, dict(zip(self.names, point.values)), digits=digits)
            self._precise[key] = found
        return found

    def forget(self) -> None:
        """Drop values and points remembered for past answers once they take much memory; the random
        points themselves stay, and their values are computed again when needed."""
        if sum(len(p.evaluator.cache) for p in self.random_points) > _REMEMBERED:
            for point in self.random_points:
                point.evaluator.clear()
        if len(self._points) > _REMEMBERED // 100:
            self._points.clear()
        if sum(len(e.cache) for e in self._precise.values()) > _REMEMBERED:
            self._precise.clear()
        if len(self._zeros_found) > _REMEMBERED // 100:
            self._zeros_found.clear()
            self._arguments.clear()

    def arguments(self, expr: Any) -> tuple[Any, ...]:
        """The expressions whose zeros are branch changes: arguments of abs, sign, heaviside; differences
        of the arguments of max and min; floor and ceiling arguments (their zeros are whole numbers)."""
        found = self._arguments.get(expr)
        if found is not None:
            return found
        engine = self.engine
        collected: dict[Any, None] = {}
        for kind, a, b in distinct_parts(engine, expr):
            if kind == CALL and a in _PIECEWISE and not all(engine.is_constant(x) for x in b):
                if a in ("max", "min"):
                    for i in range(len(b)):
                        for j in range(i + 1, len(b)):
                            collected.setdefault(engine.subtract(b[i], b[j]))
                else:
                    collected.setdefault(("whole", b[0]) if a in ("floor", "ceiling") else b[0])
        found = tuple(collected)
        self._arguments[expr] = found
        return found

    def _zeros(self, argument: Any) -> list[tuple[tuple[int, int], tuple[Fraction, ...], bool]]:
        """Where the argument is 0 on lines through the first random points along each of (up to three of)
        its variables: ((base, coordinate), the point, whether it is exact)."""
        found = self._zeros_found.get(argument)
        if found is not None:
            return found
        found = []
        whole = isinstance(argument, tuple)
        expr = argument[1] if whole else argument
        symbols = self.engine.free_symbols(expr)
        used = [k for k, name in enumerate(self.names) if self.engine.symbol(name) in symbols][:3]
        for index, base in enumerate(self.random_points[:_BASES]):
            target = expr
            if whole:  # floor and ceiling change where the argument is a whole number: the one nearest here
                value = _value(base.evaluator, expr)
                if value is None:
                    continue
                target = self.engine.subtract(expr, self.engine.number(int(base.evaluator.ctx.nint(value))))
            linear = _linear(self.engine, target)
            for k in used:
                if linear is not None:
                    zero = _solve(linear, self.names, base.values, k)
                    if zero is not None:
                        found.append(((index, k), zero, True))
                else:
                    found.extend(((index, k), z, False) for z in self._crossings(target, base.values, k))
        self._zeros_found[argument] = found
        return found

    def _around(self, values: tuple[Fraction, ...], k: int, exact: bool) -> Iterator[Point]:
        centre = self._point(values, kink=exact)
        if centre is not None:
            yield centre
        size = max(abs(values[k]), Fraction(1))
        for side in _SIDES:
            for sign in (1, -1):
                point = self._point(_moved(values, k, sign * side * size))
                if point is not None:
                    yield point

    def _point(self, values: tuple[Fraction, ...], kink: bool = False) -> Point | None:
        key = (values, kink)
        if key not in self._points:
            self._points[key] = self.point(values, kink, branch=True)
        return self._points[key]

    def _crossings(self, expr: Any, base: tuple[Fraction, ...], k: int) -> list[tuple[Fraction, ...]]:
        """Points on the line through base along coordinate k where expr changes sign, found by bisection."""

        def at(t: Fraction) -> Any | None:
            moved = list(base)
            moved[k] = base[k] + t
            return _value(Evaluator(self.engine, dict(zip(self.names, moved)), digits=DIGITS), expr)

        found: list[tuple[Fraction, ...]] = []
        previous: tuple[Fraction, Any] | None = None
        for t in _STEPS:
            value = at(t)
            if value is None:
                previous = None
                continue
            if value == 0:
                found.append(_moved(base, k, t))
            elif previous is not None and (previous[1] > 0) != (value > 0) and previous[1] != 0:
                zero = _bisect(at, previous[0], t, previous[1] > 0)
                if zero is not None:
                    found.append(_moved(base, k, zero))
            previous = (t, value)
            if len(found) >= _CROSSINGS:
                break
        return found


def _size(value: Fraction) -> float:
    """How far a coordinate is from 1 in magnitude, in powers of ten (0 is as far as 10**-6)."""
    import math

    return abs(math.log10(abs(value))) if value else 6.0


def _bisect(at: Any, low: Fraction, high: Fraction, low_positive: bool) -> Fraction | None:
    """A point within about 10**-15 of its size of a sign change between low and high."""
    for _ in range(200):
        middle = (low + high) / 2
        value = at(middle)
        if value is None:
            return None
        if value == 0:
            return _decimal(middle)
        if (value > 0) == low_positive:
            low = middle
        else:
            high = middle
        if abs(high - low) <= Fraction(1, 10**15) * max(abs(low), abs(high), Fraction(1, 10**12)):
            break
    return _decimal((low + high) / 2)


def _decimal(value: Fraction) -> Fraction:
    """The value rounded to 16 significant digits, so that it prints as a short decimal."""
    if value == 0:
        return value
    import math

    exponent = math.floor(math.log10(abs(value))) - 15
    scale = Fraction(10) ** exponent
    return round(value / scale) * scale


def _moved(base: tuple[Fraction, ...], k: int, t: Fraction) -> tuple[Fraction, ...]:
    moved = list(base)
    moved[k] = base[k] + t
    return tuple(moved)


def _value(evaluator: Evaluator, expr: Any) -> Any | None:
    try:
        return evaluator.value(expr)
    except LimitError:
        return None


def _linear(engine: Engine, expr: Any) -> dict[str | None, Fraction] | None:
    """expr as c + sum of c_v * v with rational c (key None for c), or None if it is not of that form."""
    kind, a, b = engine.node(expr)
    if kind == NUMBER:
        return {None: Fraction(a, b)}
    if kind == SYMBOL:
        return {a: Fraction(1)}
    if kind == MUL:
        coefficient = Fraction(1)
        rest: dict[str | None, Fraction] | None = None
        for factor in a:
            part = _linear(engine, factor)
            if part is None:
                return None
            if set(part) == {None}:
                coefficient *= part[None]
            elif rest is None:
                rest = part
            else:
                return None  # a product of two variables
        if rest is None:
            return {None: coefficient}
        return {name: coefficient * c for name, c in rest.items()}
    if kind == ADD:
        total: dict[str | None, Fraction] = {}
        for term in a:
            part = _linear(engine, term)
            if part is None:
                return None
            for name, c in part.items():
                total[name] = total.get(name, Fraction(0)) + c
        return total
    return None


def _solve(
    linear: dict[str | None, Fraction], names: Sequence[str], base: tuple[Fraction, ...], k: int
) -> tuple[Fraction, ...] | None:
    """The point of the line through base along coordinate k where the linear form is 0, exactly."""
    coefficient = linear.get(names[k], Fraction(0))
    if coefficient == 0:
        return None
    rest = linear.get(None, Fraction(0)) + sum(
        (c * base[names.index(name)] for name, c in linear.items() if name is not None and name != names[k]),
        Fraction(0),
    )
    return _moved(base, k, -rest / coefficient - base[k])


def _draw_point(draw: random.Random, size: int) -> tuple[Fraction, ...]:
    """A random point: two in five with every coordinate in a box around the usual domains, two in five
    with every coordinate at one scale from 10**-6 to 10**9, one in five with each coordinate at a
    scale of its own (so that a point where a product such as W@x stays moderate is not rare)."""
    regime = draw.random()
    if regime < 0.4:
        return tuple(_in_box(draw) for _ in range(size))
    if regime < 0.8:
        scale = draw.randint(_SMALLEST, _LARGEST)
        return tuple(_at_scale(draw, scale) for _ in range(size))
    return tuple(
        _in_box(draw) if draw.random() < 0.4 else _at_scale(draw, draw.randint(_SMALLEST, _LARGEST))
        for _ in range(size)
    )


def _in_box(draw: random.Random) -> Fraction:
    """Three decimals in one of the boxes, never a whole number (0 and ±1 are special points)."""
    low, high = _BOXES[draw.randrange(len(_BOXES))]
    while True:
        thousandths = draw.randint(low * 1000, high * 1000)
        if thousandths % 1000:
            return Fraction(thousandths, 1000)


def _at_scale(draw: random.Random, scale: int) -> Fraction:
    """Four significant digits times 10**scale, of either sign; a whole number only beyond 10."""
    while True:
        value = Fraction(draw.randint(1001, 9999), 1000) * Fraction(10) ** scale
        if value.denominator != 1 or value > 10:
            break
    return value if draw.random() < 0.5 else -value


@functools.lru_cache(maxsize=1 << 16)
def decimal_text(value: Fraction) -> str:
    """A coordinate as a decimal that --at reads back exactly."""
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    value = abs(value)
    digits = 0
    while (value * 10**digits).denominator != 1 and digits < 40:
        digits += 1
    if (value * 10**digits).denominator != 1:
        return f"{sign}{value.numerator}/{value.denominator}"
    scaled = value.numerator * 10**digits // value.denominator
    whole, fraction = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}".rstrip("0").rstrip(".")
