"""The tools every customer-service domain offers the same way: a calculator and a transfer to a
human agent. Written once so that the domains cannot drift apart (a guard one has and the other
lacks); a domain lists them among its read tools."""

from __future__ import annotations

import ast
import math
import operator

from domains.framework.database import Database
from domains.framework.tools import ToolError, tool

__all__ = ["calculate", "transfer_to_human_agents", "MAX_EXPRESSION"]

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
MAX_EXPRESSION = 500
_MAX_DEPTH = 400  # below Python's recursion limit, whatever the expression's shape


def _evaluate(node: ast.AST, depth: int = 0) -> float:
    if depth > _MAX_DEPTH:
        raise ToolError("expression is nested too deeply")
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, depth + 1)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, depth + 1), _evaluate(node.right, depth + 1)
        if isinstance(node.op, ast.Div) and right == 0:
            raise ToolError("division by zero")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, depth + 1))
    raise ToolError("only numbers, + - * / and parentheses are allowed")


@tool("read")
def calculate(db: Database, expression: str) -> float:
    """Calculate the value of an arithmetic expression (numbers, + - * / and parentheses), rounded to 2 decimals. Use it for totals, refunds and price differences.

    Args:
        expression: The expression, e.g. "(89.99 + 24.5) * 2 - 10".
    """
    if len(expression) > MAX_EXPRESSION:
        raise ToolError(f"expression is too long (at most {MAX_EXPRESSION} characters)")
    if not expression.strip():
        raise ToolError("expression is empty")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ToolError(f"cannot parse expression: {exc.__class__.__name__}") from None
    try:
        value = float(_evaluate(tree))
    except (OverflowError, RecursionError, MemoryError):
        raise ToolError("the result is too large") from None
    if not math.isfinite(value):
        raise ToolError("the result is too large")
    return round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


@tool("read")
def transfer_to_human_agents(db: Database, summary: str) -> str:
    """Transfer the user to a human agent, with a summary of their issue. Only when the user asks for a human or the request cannot be handled with the available tools.

    Args:
        summary: A short summary of the user's issue and what has been done so far.
    """
    if not summary.strip():
        raise ToolError("summary must describe the user's issue")
    return "Transfer successful: a human agent will take over this conversation."
