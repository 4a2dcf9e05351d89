"""Reads of outlines."""

from dataclasses import dataclass

from .models import NodeKind
from .parsing import ParsedNode


@dataclass
class PreviewLine:
    node: ParsedNode
    depth: int

    @property
    def indent(self) -> str:
        """Bootstrap spacing classes that show the depth."""
        return ("", "ps-3", "ps-5", "ps-5 ms-4")[min(self.depth, 3)]

    @property
    def kind_label(self) -> str:
        return NodeKind(self.node.kind).label


def outline_preview(nodes: list[ParsedNode]) -> list[PreviewLine]:
    """The parsed outline as the upload page shows it: each line with its depth in the tree."""
    depth_of: dict[str, int] = {}
    lines = []
    for node in nodes:
        depth = depth_of[node.parent_key] + 1 if node.parent_key else 0
        depth_of[node.key] = depth
        lines.append(PreviewLine(node, depth))
    return lines
