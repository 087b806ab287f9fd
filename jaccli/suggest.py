"""What to write instead: did-you-mean suggestions and hints for the mistakes people make (no SymPy here)."""

from __future__ import annotations

from collections.abc import Iterable

# How to get matplotlib for --plot, in the folder of a clone set up as the README's quick start does.
PLOT_INSTALL = ".venv/bin/pip install '.[plot]' (in the folder of jac, as in the README's quick start)"

# Names from other tools (NumPy, C, spreadsheets, textbooks) for functions jac knows by another name.
ALIASES = {
    "arctan": "atan",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan2": "atan2",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "absolute": "abs",
    "fabs": "abs",
    "sgn": "sign",
    "signum": "sign",
    "ceil": "ceiling",
    "heavyside": "heaviside",
    "step": "heaviside",
    "logistic": "sigmoid",
    "expit": "sigmoid",
    "maximum": "max",
    "minimum": "min",
    "tg": "tan",
    "ctg": "cot",
    "cotan": "cot",
}


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """The Damerau-Levenshtein (optimal string alignment) distance: insertions, deletions, substitutions and
    swaps of neighbours each count 1. With `limit`, any distance above it may be returned as limit + 1."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, previous2[j - 2] + 1)
            current.append(best)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates a typo of `word` most likely meant: an alias first, then those at the smallest edit
    distance (at most 1 for short words, 2 for words of 5 letters or more), in alphabetical order."""
    known = sorted(set(candidates))
    lowered = word.lower()
    alias = ALIASES.get(lowered)
    if alias in known:
        return [alias]
    if lowered != word and lowered in known:
        return [lowered]
    reach = 1 if len(word) < 5 else 2
    distances = {c: edit_distance(lowered, c, reach) for c in known}
    best = min(distances.values(), default=reach + 1)
    if best > reach:
        return []
    return [c for c in known if distances[c] == best]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`did you mean 'atan'?` (or `'max' or 'min'`), or an empty string when nothing is close."""
    found = closest(word, candidates)
    if not found:
        return ""
    quoted = [f"'{c}'" for c in found[:3]]
    return "did you mean " + (", ".join(quoted[:-1]) + " or " if len(quoted) > 1 else "") + quoted[-1] + "?"


def function_hint(name: str, functions: Iterable[str]) -> str:
    """After `unknown function 'arctan'`: `did you mean 'atan'?`, or the list of functions when none is close."""
    known = sorted(set(functions))
    return did_you_mean(name, known) or f"known functions: {', '.join(known)}"


def unknown_command(name: str, commands: Iterable[str]) -> str:
    listed = list(commands)
    hint = did_you_mean(name, listed)
    return f"no such command '{name}': " + (hint or f"the commands are {', '.join(listed)}")


def unknown_option(option: str, options: Iterable[str]) -> str:
    hint = did_you_mean(option, options)
    return f"no such option: {option}" + (f": {hint}" if hint else "")


def declare_sizes(names: Iterable[str]) -> str | None:
    """After `dot() takes two vectors`, for arguments that are scalar variables: how to declare them as vectors."""
    shown = list(dict.fromkeys(names))
    if not shown:
        return None
    which = " and ".join(shown)
    verb = "is a scalar" if len(shown) == 1 else "are scalars"
    return f"{which} {verb}; declare the size of a vector, e.g. --vars {','.join(f'{n}:3' for n in shown)}"


def bracketed_point(text: str) -> str:
    """A hint for a point written as a tuple or a list, `(5,-5)` or `[5,-5]`: write `5,-5`; else empty."""
    stripped = text.strip()
    if len(stripped) >= 2 and (stripped[0], stripped[-1]) in (("(", ")"), ("[", "]")) and "," in stripped:
        inner = stripped[1:-1].strip()
        return f"write the values without brackets: --at {inner}"
    return ""
