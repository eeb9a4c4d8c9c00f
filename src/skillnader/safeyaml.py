"""YAML from files that people write (mappings, specs), loaded with a bound on alias expansion.

PyYAML's ``safe_load`` shares the node an alias points to, so a 700-byte document of nested
aliases ("billion laughs") loads quickly — and then grows past gigabytes as soon as anything walks
or prints it. Here the document is composed first and the size of its *expanded* tree is counted
(each node once per path that reaches it, without building the tree); a document whose expansion
exceeds :data:`MAX_NODES` nodes or uses more than :data:`MAX_ALIASES` aliases is refused with a
:class:`~skillnader.errors.FormatError` naming the file. Anchors and aliases for sharing a few
settings stay allowed.
"""

from __future__ import annotations

from typing import Any

import yaml

from skillnader.errors import FormatError

#: Nodes the document may hold once every alias is expanded.
MAX_NODES = 100_000
#: Alias uses (``*name``) a document may hold.
MAX_ALIASES = 1_000
#: Nesting depth of mappings and sequences.
MAX_DEPTH = 100


class _CountingLoader(yaml.SafeLoader):
    """A safe loader that counts the aliases it composes."""

    aliases = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise _TooMany(f"more than {MAX_ALIASES} aliases", mark)
        return super().compose_node(parent, index)


class _TooMany(Exception):
    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.mark = mark


def _expanded_size(root: yaml.Node) -> int:
    """Nodes in the tree once every alias is expanded (a shared node counts once per path to
    it); raises :class:`_TooMany` past ``MAX_NODES``, ``MAX_DEPTH`` or on a recursive alias."""
    size: dict[int, int] = {}
    active: set[int] = set()
    # Iterative post-order walk; each distinct node is summed once.
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1
            continue
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = list(node.value)
        if not children_done:
            if key in size:
                continue
            if key in active:
                raise _TooMany("a recursive alias", node.start_mark)
            if depth > MAX_DEPTH:
                raise _TooMany(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
            active.add(key)
            stack.append((node, depth, True))
            for child in children:
                if id(child) in active:
                    raise _TooMany("a recursive alias", child.start_mark)
                if id(child) not in size:
                    stack.append((child, depth + 1, False))
            continue
        active.discard(key)
        total = 1 + sum(size[id(c)] for c in children)
        if total > MAX_NODES:
            raise _TooMany(f"more than {MAX_NODES} nodes once its aliases are expanded")
        size[key] = total
    return size[id(root)]


def load(text: str | bytes, *, path: str | None = None) -> Any:
    """Parse YAML ``text`` like ``yaml.safe_load`` within the bounds in the module docstring."""
    loader = _CountingLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except _TooMany as exc:
            raise _refusal(exc, path) from None
        except RecursionError:
            raise _refusal(_TooMany(f"nesting deeper than {MAX_DEPTH} levels"), path) from None
        if node is None:
            return None
        try:
            _expanded_size(node)
        except _TooMany as exc:
            raise _refusal(exc, path) from None
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _refusal(exc: _TooMany, path: str | None) -> FormatError:
    mark = exc.mark
    return FormatError(
        f"the YAML document has {exc}",
        path=path,
        location=None if mark is None else f"line {mark.line + 1}",
        expected=f"at most {MAX_ALIASES} aliases, {MAX_NODES} nodes once expanded and "
        f"{MAX_DEPTH} levels of nesting",
    )
