"""jac, the command-line Jacobian calculator, and its Python API.

    import jaccli
    r = jaccli.gradient("x**2+y**2", at="5,-5")
    r.value        # [[10, -10]]
    r.as_dict()    # the object `jac grad ... --json` prints

`derivative`, `gradient`, `jacobian` and `hessian` (in `jaccli.api`) are loaded on first use, so
that importing jaccli (as the command line does for --help and shell completion) stays light.
Errors raise `JacError`, a ValueError.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jaccli.errors import JacError

if TYPE_CHECKING:
    from jaccli.api import derivative, gradient, hessian, jacobian
    from jaccli.result import Result

__version__ = "0.2.0"
__all__ = ["JacError", "Result", "__version__", "derivative", "gradient", "hessian", "jacobian"]


def __getattr__(name: str) -> Any:
    if name in ("derivative", "gradient", "jacobian", "hessian"):
        from jaccli import api

        return getattr(api, name)
    if name == "Result":
        from jaccli.result import Result

        return Result
    raise AttributeError(f"module 'jaccli' has no attribute {name!r}")
