"""The small framework every domain is written in: tools, database, environment, policy, graph."""

from domains.framework.database import Database, RecordDiff, Tables
from domains.framework.domain import Domain
from domains.framework.environment import Environment, Observation
from domains.framework.tools import ToolError, ToolSpec, tool

__all__ = [
    "Database",
    "Domain",
    "Environment",
    "Observation",
    "RecordDiff",
    "Tables",
    "ToolError",
    "ToolSpec",
    "tool",
]
