"""The API dependency graph: which tool's output can feed which tool's input.

An edge A -> B exists when read tool A returns a field that B takes as an argument (same name,
singular/plural of it, or the field B declares it `discovers` its values from). Writes only
consume: reads come before writes in every sampled chain.
"""

from __future__ import annotations

from collections import deque

from domains.framework.tools import ToolSpec


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def feeding_fields(spec: ToolSpec, param: str) -> set[str]:
    """Output field names whose values can be passed as `param` of `spec`."""
    fields = {param, param + "s", singular(param)}
    if param in spec.discovers:
        fields.add(spec.discovers[param])
    return fields


class ApiGraph:
    def __init__(self, tools: dict[str, ToolSpec]):
        self.tools = tools
        self.edges: dict[str, dict[str, set[str]]] = {name: {} for name in tools}
        for a in tools.values():
            if a.kind != "read":
                continue
            for b in tools.values():
                if a.name == b.name:
                    continue
                for p in b.params:
                    if feeding_fields(b, p) & a.output_fields:
                        self.edges[a.name].setdefault(b.name, set()).add(p)

    def feeders(self, tool: str, param: str) -> list[str]:
        """Read tools whose output can provide `param` of `tool`."""
        return [a for a, outs in self.edges.items() if param in outs.get(tool, set())]

    def discoverable(self, tool: str) -> list[str]:
        """Arguments of `tool` that some read tool can provide (the rest come from the user).

        In the tool's parameter order: sampling must not depend on set iteration order.
        """
        found = {p for outs in self.edges.values() for p in outs.get(tool, set())}
        return [p for p in self.tools[tool].params if p in found]

    def path(self, start: str, goal: str) -> list[str] | None:
        """A shortest chain of tools from `start` to `goal` along the edges."""
        prev: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                out = []
                cur: str | None = node
                while cur is not None:
                    out.append(cur)
                    cur = prev[cur]
                return out[::-1]
            for nxt in self.edges.get(node, {}):
                if nxt not in prev:
                    prev[nxt] = node
                    queue.append(nxt)
        return None

    def describe(self) -> list[str]:
        return [
            f"{a} -> {b} ({', '.join(sorted(ps))})"
            for a, outs in sorted(self.edges.items())
            for b, ps in sorted(outs.items())
        ]
