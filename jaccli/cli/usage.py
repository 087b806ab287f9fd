"""What `jac` alone prints (a short usage with the command list), and `jac help [COMMAND]`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from jaccli.cli.app import app
from jaccli.errors import JacError
from jaccli.suggest import unknown_command

EXAMPLES = (
    'jac grad "x^2+y^2" --at 5,-5',
    'jac jacobian "x*y, x+y" --at 2,3',
    'jac check grad "x^2+y^2" --answer "2x, 2y"',
)


def _commands(group: Any) -> list[tuple[str, str]]:
    context = typer.Context(group, info_name="jac")
    shown = []
    for name in group.list_commands(context):
        command = group.commands[name]
        if not command.hidden:
            shown.append((name, command.get_short_help_str(limit=66)))
    return shown


def usage(group: Any) -> str:
    """Several lines: what jac is, the usage, the commands, examples and where the rest of the help is."""
    commands = _commands(group)
    width = max(len(name) for name, _ in commands)
    lines = [
        "jac, the command-line Jacobian calculator: derivatives, gradients, Jacobians and Hessians.",
        "",
        "Usage: jac COMMAND EXPR... [OPTIONS]",
        "",
        "Commands:",
        *(f"  {name.ljust(width)}  {summary}" for name, summary in commands),
        "",
        "Examples:",
        *(f"  {example}" for example in EXAMPLES),
        "",
        "'jac help COMMAND' (or 'jac COMMAND -h') shows the options of a command; 'jac -h' those of jac.",
    ]
    return "\n".join(lines)


def complete_command(incomplete: str) -> list[str]:
    from typer.main import get_command

    group: Any = get_command(app)
    return [name for name, _ in _commands(group) if name.startswith(incomplete)]


@app.command("help")
def help_(
    ctx: typer.Context,
    command: Annotated[
        str | None,
        typer.Argument(help="The command to show the help of; none: jac's own.", autocompletion=complete_command),
    ] = None,
) -> None:
    """Show the help of jac, or of one command.

    Example: jac help grad
    """
    parent = ctx.parent
    assert parent is not None
    group: Any = parent.command
    if command is None:
        typer.echo(parent.get_help())
        return
    chosen = group.commands.get(command)
    if chosen is None or chosen.hidden:
        from jaccli.cli.options import user_errors

        with user_errors():
            raise JacError(unknown_command(command, [name for name, _ in _commands(group)]))
    typer.echo(chosen.get_help(typer.Context(chosen, info_name=command, parent=parent)))
