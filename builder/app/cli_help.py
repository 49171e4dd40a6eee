"""How `--help` shows options: a flag takes no value, so it shows no value type.

typer 0.29 labels every option with its type, flags included (`--ray <bool>`, even
`--help <bool>`), which reads as if the flag wanted a value. The command and group classes
here give every flag an empty metavar, so its help line is just the name and the text, as in
`cargo --help` or `uv --help`. Pass them as `cls=` to `typer.Typer` and `@app.command`.
"""

from __future__ import annotations

import typer.core


def _unlabel_flags(params: list) -> list:
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class Command(typer.core.TyperCommand):
    def get_params(self, ctx):
        return _unlabel_flags(super().get_params(ctx))


class Group(typer.core.TyperGroup):
    def get_params(self, ctx):
        return _unlabel_flags(super().get_params(ctx))
