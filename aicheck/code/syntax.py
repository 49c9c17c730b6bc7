"""What a node means, for both grammars: names, arguments, functions, strings, loops.

tree-sitter-python and tree-sitter-javascript/typescript name their nodes differently; every
question the checks ask of a node is answered here, once per language family.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aicheck.code.parse import text

if TYPE_CHECKING:
    from tree_sitter import Node

CALLS = {"call", "call_expression", "new_expression"}
FUNCTIONS = {"function_definition", "lambda", "function_declaration", "function_expression", "arrow_function",
             "method_definition", "generator_function_declaration", "generator_function"}
MAX_UP = 100  # parent steps: tree-sitter finds a parent by descending from the root, so climbs stay short
STRINGS = {"string", "concatenated_string", "template_string", "string_fragment"}
NUMBERS = {"integer", "float", "number"}


def children(node: Node) -> list[Node]:
    return node.children


def walk_pairs(node: Node) -> Iterator[tuple[Node, Node | None]]:
    """``node`` and every node below it, each with its parent (no ``.parent`` lookups)."""
    yield node, None
    stack = [(child, node) for child in reversed(node.children)]
    while stack:
        item, parent = stack.pop()
        yield item, parent
        stack.extend((child, item) for child in reversed(item.children))


class Functions:
    """The functions of a file by byte range: which one encloses a node, without climbing parents."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = sorted(nodes, key=lambda n: n.start_byte)
        self.starts = [n.start_byte for n in self.nodes]
        self.parent: list[int] = []
        stack: list[int] = []
        for index, node in enumerate(self.nodes):
            while stack and self.nodes[stack[-1]].end_byte <= node.start_byte:
                stack.pop()
            self.parent.append(stack[-1] if stack else -1)
            stack.append(index)

    def _contains(self, index: int, node: Node) -> bool:
        fn = self.nodes[index]
        return fn.start_byte <= node.start_byte and node.end_byte <= fn.end_byte and fn != node

    def innermost(self, node: Node) -> Node | None:
        index = bisect.bisect_right(self.starts, node.start_byte) - 1
        while index >= 0 and not self._contains(index, node):
            index = self.parent[index]
        return self.nodes[index] if index >= 0 else None

    def outermost(self, node: Node) -> Node | None:
        index = bisect.bisect_right(self.starts, node.start_byte) - 1
        while index >= 0 and not self._contains(index, node):
            index = self.parent[index]
        while index >= 0 and self.parent[index] >= 0:
            index = self.parent[index]
        return self.nodes[index] if index >= 0 else None


def walk(node: Node, *, into_functions: bool = True) -> Iterator[Node]:
    """Every node below ``node`` in document order (optionally not entering nested functions)."""
    stack = list(reversed(node.children))
    while stack:
        item = stack.pop()
        yield item
        if into_functions or item.type not in FUNCTIONS:
            stack.extend(reversed(item.children))


NAMES = {"identifier", "property_identifier", "this", "super", "type_identifier", "shorthand_property_identifier", "meta_property", "import"}
MAX_DOTTED = 64  # parts: a longer chain is generated code, not a client or an SDK call


def dotted(node: Node | None) -> str | None:
    """``client.chat.completions.create``; a call in the chain reads ``llm.bind_tools().invoke``.

    Iterative, and bounded: a 20,000-link chain in a minified file neither recurses nor costs."""
    parts: list[str] = []  # right to left; "()" marks a call of the part to its left
    while node is not None and len(parts) <= MAX_DOTTED:
        kind = node.type
        if kind in NAMES:
            return _join([text(node), *reversed(parts)])
        if kind in ("attribute", "member_expression"):
            prop = node.child_by_field_name("attribute") or node.child_by_field_name("property")
            if prop is None:
                return None
            parts.append(text(prop))
            node = node.child_by_field_name("object")
        elif kind in CALLS:
            parts.append("()")
            node = callee(node)
        elif kind in ("await", "await_expression", "parenthesized_expression", "non_null_expression"):
            named = [child for child in node.children if child.is_named]
            node = named[0] if named else None
        else:
            return None
    return None


def _join(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        out += part if part == "()" else "." + part
    return out


def callee(call: Node) -> Node | None:
    return call.child_by_field_name("function") or call.child_by_field_name("constructor")


def callee_name(call: Node) -> str:
    return dotted(callee(call)) or ""


def suffix_match(name: str, pattern: str) -> bool:
    """``a.chat.completions.create`` ends with the parts ``chat.completions.create``."""
    parts, want = name.split("."), pattern.split(".")
    return len(parts) >= len(want) and parts[-len(want):] == want


def receiver(name: str) -> str:
    """The variable a method is called on: ``self.llm`` for ``self.llm.invoke``, ``llm`` for ``llm.bind_tools().invoke``."""
    head = name.rsplit(".", 1)[0] if "." in name else ""
    if "(" in head:
        head = head.split("(", 1)[0].rsplit(".", 1)[0] if "." in head.split("(", 1)[0] else head.split("(", 1)[0]
    return head


def arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [child for child in args.children if child.is_named and child.type != "comment"]


@dataclass
class Args:
    """The options of a call: top-level names, every name nested inside, and whether some are hidden."""

    top: dict[str, Node] = field(default_factory=dict)  # name -> value node
    nested: dict[str, Node] = field(default_factory=dict)
    opaque: bool = False  # **kwargs, ...spread, or the options passed as one variable


def read_args(call: Node, python: bool) -> Args:
    result = Args()
    args = arguments(call)
    for arg in args:
        if python:
            _python_arg(arg, result)
        elif arg.type == "object":
            _object_pairs(arg, result.top, result)
        elif arg.type in ("identifier", "member_expression", "spread_element") and arg is args[-1] and len(args) <= 2:
            result.opaque = True
    for arg in args:
        for node in walk(arg):
            name, value = _named_value(node)
            if name is not None and value is not None:
                result.nested.setdefault(name, value)
    result.nested.update(result.top)
    return result


def _python_arg(arg: Node, result: Args) -> None:
    if arg.type == "keyword_argument":
        name, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
        if name is not None and value is not None:
            result.top[text(name)] = value
            if "config" in text(name) and value.type in ("identifier", "attribute"):
                result.opaque = True  # config=config: the caps and timeouts may be in it
    elif arg.type in ("dictionary_splat", "list_splat"):
        result.opaque = True


def _object_pairs(obj: Node, into: dict[str, Node], result: Args) -> None:
    for child in obj.children:
        if child.type == "pair":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is not None and value is not None:
                into[unquote(text(key))] = value
        elif child.type == "shorthand_property_identifier":
            into[text(child)] = child
        elif child.type == "spread_element":
            result.opaque = True


def _named_value(node: Node) -> tuple[str | None, Node | None]:
    """A keyword argument, an object pair or a dict entry with a string key."""
    if node.type == "keyword_argument":
        return text(node.child_by_field_name("name")), node.child_by_field_name("value")
    if node.type == "pair":
        key = node.child_by_field_name("key")
        if key is not None and key.type in ("property_identifier", "string", "identifier"):
            return unquote(text(key)), node.child_by_field_name("value")
    if node.type == "shorthand_property_identifier":
        return text(node), node
    return None, None


def unquote(value: str) -> str:
    for quote in ('"""', "'''", '"', "'", "`"):
        if len(value) >= 2 * len(quote) and value.startswith(quote) and value.endswith(quote):
            return value[len(quote):-len(quote)]
    return value


def is_none(node: Node) -> bool:
    return node.type in ("none", "null", "undefined") or text(node) in ("None", "null", "undefined")


def is_false_or_zero(node: Node) -> bool:
    return text(node) in ("0", "False", "false")


def is_true(node: Node) -> bool:
    return node.type in ("true",) or text(node) in ("True", "true", "1")


def number(node: Node) -> float | None:
    raw = text(node).replace("_", "")
    if node.type not in NUMBERS:
        return float("inf") if raw in ("Infinity", "Number.MAX_SAFE_INTEGER", "float('inf')", 'float("inf")', "math.inf") else None
    try:
        return float(raw)
    except ValueError:
        return None


def literal_string(node: Node) -> str | None:
    """The value of a plain string literal (no interpolation), else None."""
    if node.type == "string" and not any(c.type in ("interpolation", "template_substitution") for c in node.children):
        return unquote(text(node).lstrip("rbuRBUfF"))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return unquote(text(node))
    return None


def is_built_string(node: Node) -> bool:
    """An f-string, a template literal with ${}, '+'/'%' concatenation or ``.format()``: SQL built from values."""
    if node.type in ("string", "template_string"):
        return any(c.type in ("interpolation", "template_substitution") for c in node.children)
    if node.type in ("binary_operator", "binary_expression"):
        return True
    return node.type in CALLS and callee_name(node).endswith(".format")


def parameters(function: Node) -> list[Node]:
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    if params is None:
        return []
    if params.type == "identifier":  # x => ...
        return [params]
    return [child for child in params.children if child.is_named]


def parameter_name(param: Node) -> str | None:
    if param.type == "identifier":
        return text(param)
    for name in ("name", "pattern", "left"):
        child = param.child_by_field_name(name)
        if child is not None:
            return parameter_name(child) if child.type != "identifier" else text(child)
    named = [child for child in param.children if child.is_named]
    return text(named[0]) if named and named[0].type == "identifier" else None


def bound_names(target: Node) -> list[str]:
    """The names an assignment target binds: ``x``, ``self.x``, ``{ a, b: c }``, ``[a, b]``, ``a, b``."""
    if target.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [text(target)]
    if target.type in ("attribute", "member_expression"):
        name = dotted(target)
        return [name] if name else []
    names: list[str] = []
    for child in target.children:
        if target.type == "pair_pattern" and child == target.child_by_field_name("key"):
            continue
        names.extend(bound_names(child))
    return names


def is_infinite_loop(node: Node) -> bool:
    """``while True:``, ``while (true)``, ``for (;;)``, ``do {} while (true)``."""
    if node.type in ("while_statement", "do_statement"):
        condition = node.child_by_field_name("condition")
        if condition is None:
            return False
        inner = [c for c in condition.children if c.is_named] if condition.type == "parenthesized_expression" else [condition]
        return len(inner) == 1 and is_true(inner[0])
    if node.type == "for_statement" and node.child_by_field_name("condition") is None:
        return any(text(c) == ";" for c in node.children) and node.child_by_field_name("increment") is None
    return False


def loop_body(node: Node) -> Node | None:
    return node.child_by_field_name("body")
