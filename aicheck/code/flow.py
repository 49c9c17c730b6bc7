"""Intra-procedural dataflow: which names in one function hold user input, or model output.

The unit is the outermost function around a call site (closures see their parent's names), or
the module's top-level statements. Names are followed through assignments, destructuring,
``for`` loops, ``+=`` and callbacks on a tainted receiver (``messages.map(m => ...)``), in
document order, twice (so a loop's later assignment reaches its earlier use). Calls to other
functions are not followed: a value passed to a helper, or returned from one, is lost.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aicheck.code import syntax
from aicheck.code.parse import text
from aicheck.code.rules import Flow

if TYPE_CHECKING:
    from tree_sitter import Node

ASSIGNMENTS = {"assignment", "augmented_assignment", "variable_declarator", "assignment_expression",
               "augmented_assignment_expression", "named_expression"}
LOOPS_OVER = {"for_statement", "for_in_statement"}
SYSTEM_MESSAGE_CALLS = ("SystemMessage", "SystemMessagePromptTemplate.from_template")


@dataclass
class Taint:
    budget: Budget
    names: set[str] = field(default_factory=set)
    system: set[str] = field(default_factory=set)  # names holding a system message built from user input


def unit_of(node: Node, root: Node, functions: syntax.Functions) -> Node:
    return functions.outermost(node) or root


STEPS = ASSIGNMENTS | LOOPS_OVER | syntax.CALLS


class TooComplex(Exception):
    """The flow budget of a file is spent: its flow checks stop (no input can take quadratic time)."""


@dataclass
class Budget:
    left: int  # nodes the flow checks may still visit in this file

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TooComplex


def nodes_of(unit: Node, index: dict[str, list[Node]], types: set[str] | frozenset[str], functions: syntax.Functions) -> list[Node]:
    """The unit's nodes of these types: a function's with its closures; the module's top level only."""
    start, end = unit.start_byte, unit.end_byte
    found = []
    for kind in types:
        nodes = index.get(kind, [])
        first = bisect.bisect_left(nodes, start, key=_start)
        last = bisect.bisect_left(nodes, end, key=_start)
        found.extend(nodes[first:last])
    if unit.type not in syntax.FUNCTIONS:
        found = [n for n in found if functions.outermost(n) is None]
    return sorted(found, key=lambda n: n.start_byte)


def _start(node: Node) -> int:
    return node.start_byte


def user_input(unit: Node, steps: list[Node], flow: Flow, handler_params: list[str], budget: Budget) -> Taint:
    requests = set(flow.request_names)
    taint = Taint(budget, set(handler_params))
    if unit.type in syntax.FUNCTIONS:
        requests |= {name for p in syntax.parameters(unit) if (name := syntax.parameter_name(p)) in flow.request_names}

    def source(node: Node) -> bool:
        if node.type not in ("attribute", "member_expression"):
            return False
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("attribute") or node.child_by_field_name("property")
        return obj is not None and text(obj) in requests and text(prop) in flow.request_attrs

    _propagate(steps, taint, source, system=True)
    return taint


def model_output(steps: list[Node], llm_calls: set[Node], flow: Flow, budget: Budget) -> Taint:
    def source(node: Node) -> bool:
        if node in llm_calls:
            return True
        return node.type in syntax.CALLS and syntax.callee_name(node) in flow.output_hooks

    taint = Taint(budget)
    _propagate(steps, taint, source, system=False)
    return taint


def _propagate(nodes: list[Node], taint: Taint, source: object, *, system: bool) -> None:
    for _ in range(2):
        for node in nodes:
            _step(node, taint, source, system)


def _step(node: Node, taint: Taint, source: object, system: bool) -> None:
    kind = node.type
    if kind in ASSIGNMENTS:
        target = node.child_by_field_name("left") or node.child_by_field_name("name")
        value = node.child_by_field_name("right") or node.child_by_field_name("value")
        if target is None or value is None:
            return
        if tainted(value, taint, source):
            taint.names.update(syntax.bound_names(target))
        if system and builds_system_message(value, taint, source):
            taint.system.update(syntax.bound_names(target))
    elif kind in LOOPS_OVER:
        target = node.child_by_field_name("left")
        value = node.child_by_field_name("right")
        if target is not None and value is not None and tainted(value, taint, source):
            taint.names.update(syntax.bound_names(target))
    elif kind in syntax.CALLS:
        _callback_params(node, taint, source)
        if system:
            _appended_system(node, taint, source)


def _callback_params(call: Node, taint: Taint, source: object) -> None:
    """``messages.map(m => ...)``: the callback's parameters hold the receiver's items."""
    fn = syntax.callee(call)
    if fn is None or fn.type not in ("attribute", "member_expression"):
        return
    obj = fn.child_by_field_name("object")
    if obj is None or not tainted(obj, taint, source):
        return
    for arg in syntax.arguments(call):
        if arg.type in ("arrow_function", "function_expression", "lambda"):
            for param in syntax.parameters(arg):
                taint.names.update(syntax.bound_names(param))


def _appended_system(call: Node, taint: Taint, source: object) -> None:
    """``messages.append({"role": "system", "content": body.x})`` / ``messages.push(...)``."""
    name = syntax.callee_name(call)
    if name.rsplit(".", 1)[-1] in ("append", "push", "unshift", "insert", "extend") and "." in name:
        if any(builds_system_message(arg, taint, source) for arg in syntax.arguments(call)):
            taint.system.add(syntax.receiver(name))


def tainted(node: Node, taint: Taint, source: object) -> bool:
    for item, parent in syntax.walk_pairs(node):
        taint.budget.spend()
        if source(item):  # type: ignore[operator]
            return True
        if item.type in ("identifier", "shorthand_property_identifier") and text(item) in taint.names and not _is_attribute_name(item, parent):
            return True
        if item.type in ("attribute", "member_expression") and syntax.dotted(item) in taint.names:
            return True
    return False


def _is_attribute_name(node: Node, parent: Node | None) -> bool:
    """``x.text``: ``text`` is not a variable. ``f(text=...)``: neither is the keyword."""
    if parent is None:
        return False
    if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
        return True
    return parent.type == "keyword_argument" and parent.child_by_field_name("name") == node


def builds_system_message(node: Node, taint: Taint, source: object) -> bool:
    """A ``{"role": "system", "content": <user input>}``, ``SystemMessage(<user input>)`` or ``("system", <user input>)``."""
    for item, parent in syntax.walk_pairs(node):
        taint.budget.spend()
        if item.type in ("identifier",) and text(item) in taint.system and not _is_attribute_name(item, parent):
            return True
        if item.type in ("dictionary", "object") and _system_dict(item, taint, source):
            return True
        if item.type in syntax.CALLS and syntax.callee_name(item).endswith(SYSTEM_MESSAGE_CALLS):
            if any(tainted(arg, taint, source) for arg in syntax.arguments(item)):
                return True
        if item.type in ("tuple", "array") and _system_pair(item, taint, source):
            return True
    return False


def _system_dict(node: Node, taint: Taint, source: object) -> bool:
    pairs = [child for child in node.children if child.type == "pair"]
    role = next((p for p in pairs if syntax.unquote(text(p.child_by_field_name("key"))) == "role"), None)
    if role is None or syntax.unquote(text(role.child_by_field_name("value"))) not in ("system", "developer"):
        return False
    return any(p is not role and (v := p.child_by_field_name("value")) is not None and tainted(v, taint, source) for p in pairs)


def _system_pair(node: Node, taint: Taint, source: object) -> bool:
    items = [child for child in node.children if child.is_named]
    return len(items) == 2 and syntax.unquote(text(items[0])) == "system" and tainted(items[1], taint, source)
