"""The `jac` command line: options in, one call to core, one call to render.

Nothing heavy is imported here: SymPy and rich load inside the commands, so `jac --help`,
`jac --version` and shell completion stay fast. Each command group is a module that registers
its commands on the one typer app.
"""

from jaccli.cli import check as _check  # noqa: F401  (registers its command)
from jaccli.cli import differentiate as _differentiate  # noqa: F401  (registers its commands)
from jaccli.cli.app import app, run

__all__ = ["app", "run"]
