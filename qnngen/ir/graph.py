"""qnngen's graph IR: nodes in topological order over named tensors, with constants, shapes and
datatypes, plus the ModelWrapper-style helpers passes use."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

import numpy as np

from .datatypes import FLOAT32, DataType
from .ops import Op


@dataclass(frozen=True)
class Node:
    """One operator application: `op` holds the attributes, tensors are referred to by name."""

    name: str
    op: Op
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def op_type(self) -> str:
        return self.op.op_type


@dataclass(frozen=True)
class Graph:
    """An immutable dataflow graph. Passes build new graphs with `substitute` / `with_`."""

    name: str
    nodes: tuple[Node, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    constants: Mapping[str, np.ndarray] = field(default_factory=dict)
    shapes: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    dtypes: Mapping[str, DataType] = field(default_factory=dict)

    def with_(self, **changes) -> "Graph":
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def dtype(self, tensor: str) -> DataType:
        return self.dtypes.get(tensor, FLOAT32)

    def is_constant(self, tensor: str) -> bool:
        return tensor in self.constants

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def producer(self, tensor: str) -> Node | None:
        for n in self.nodes:
            if tensor in n.outputs:
                return n
        return None

    def consumers(self, tensor: str) -> list[Node]:
        return [n for n in self.nodes if tensor in n.inputs]

    def sole_consumer(self, node: Node) -> Node | None:
        """The single node reading `node`'s single output, if it is not also a graph output."""
        if len(node.outputs) != 1 or node.outputs[0] in self.outputs:
            return None
        cons = self.consumers(node.outputs[0])
        return cons[0] if len(cons) == 1 else None

    def is_fork(self, node: Node) -> bool:
        return any(len(self.consumers(t)) > 1 for t in node.outputs)

    def is_join(self, node: Node) -> bool:
        return sum(1 for t in node.inputs if not self.is_constant(t)) > 1

    def nodes_of(self, op_type: type) -> list[Node]:
        return [n for n in self.nodes if isinstance(n.op, op_type)]

    def substitute(
        self,
        remove: Iterable[Node],
        add: Iterable[Node] = (),
        constants: Mapping[str, np.ndarray] | None = None,
        rename: Mapping[str, str] | None = None,
    ) -> "Graph":
        """Remove nodes, add nodes, add constants, rename tensor uses; re-sorted topologically.

        `rename` maps old tensor names to new ones in every remaining input and graph output;
        constants no longer used are dropped.
        """
        gone = {n.name for n in remove}
        rename = dict(rename or {})
        kept = [
            replace(n, inputs=tuple(rename.get(t, t) for t in n.inputs))
            for n in self.nodes
            if n.name not in gone
        ]
        nodes = _toposort(kept + list(add), self.inputs, {**self.constants, **(constants or {})})
        outputs = tuple(rename.get(t, t) for t in self.outputs)
        used = {t for n in nodes for t in n.inputs}
        consts = {k: v for k, v in {**self.constants, **(constants or {})}.items() if k in used}
        return replace(self, nodes=tuple(nodes), outputs=outputs, constants=consts)

    def fresh_name(self, base: str) -> str:
        """A tensor or node name not used anywhere in the graph yet."""
        taken = set(self.constants) | set(self.inputs) | {n.name for n in self.nodes}
        taken |= {t for n in self.nodes for t in n.outputs}
        k, name = 0, base
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        return name


def _toposort(nodes: list[Node], inputs: Iterable[str], constants: Mapping) -> list[Node]:
    """Kahn's algorithm, keeping the given order among ready nodes (stable, deterministic)."""
    available = set(inputs) | set(constants)
    pending, ordered = list(nodes), []
    while pending:
        for i, n in enumerate(pending):
            if all(t in available or t == "" for t in n.inputs):
                ordered.append(n)
                available.update(n.outputs)
                del pending[i]
                break
        else:
            missing = sorted({t for n in pending for t in n.inputs} - available)
            raise ValueError(f"graph has a cycle or dangling tensors: {missing[:5]}")
    return ordered
