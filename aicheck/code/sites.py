"""The LLM call sites of one file: SDK clients, model calls and raw HTTP calls to provider hosts.

A file uses an SDK when it imports one of the SDK's modules. A constructor counts when its name
was imported from that module (``from cohere import Client``, ``import OpenAI from "openai"``);
a model call counts by its method path (``*.chat.completions.create``), or by a one-word name
imported from the SDK (``generateText``), or as a method of a variable bound to a client in the
same file (``llm.invoke`` after ``llm = ChatOpenAI(...)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from aicheck.code import syntax
from aicheck.code.parse import family, index, parse, text
from aicheck.code.rules import CodeRules, Http, Sdk

if TYPE_CHECKING:
    from tree_sitter import Node

# The directive at the top of a Next.js client component / server action file.
CLIENT_DIRECTIVE = "use client"
SERVER_DIRECTIVE = "use server"


@dataclass
class Site:
    kind: str  # "client", "call" or "http"
    node: Node
    sdk: Sdk | None  # None for raw HTTP
    args: syntax.Args
    http: Http | None = None

    @property
    def line(self) -> int:
        return self.node.start_point[0] + 1


@dataclass
class Import:
    module: str
    names: tuple[str, ...]  # local names it binds
    node: Node
    type_only: bool = False


@dataclass
class FileFacts:
    rel: str
    language: str
    root: Node
    source: bytes
    imports: list[Import] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)  # local name -> module it came from
    directive: str | None = None
    sites: list[Site] = field(default_factory=list)
    client_vars: dict[str, Sdk] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)  # name -> string literal assigned to it
    calls: list[Node] = field(default_factory=list)
    index: dict[str, list[Node]] = field(default_factory=dict)  # node type -> nodes, in document order
    sdks: tuple[Sdk, ...] = ()
    functions: syntax.Functions = field(default_factory=lambda: syntax.Functions([]))
    notes: list[str] = field(default_factory=list)

    @property
    def family(self) -> str:
        return family(self.language)

    @cached_property
    def lines(self) -> list[bytes]:
        return self.source.splitlines()

    @property
    def python(self) -> bool:
        return self.language == "python"

    def site_at(self, node: Node) -> Site | None:
        return next((site for site in self.sites if site.node == node), None)


def read_file(rel: str, language: str, source: bytes, rules: CodeRules) -> FileFacts:
    facts = FileFacts(rel, language, parse(source, language), source)
    _collect(facts)
    facts.sdks = tuple(sdk for sdk in rules.sdks_for(facts.family) if _uses(facts, sdk))
    _find_sites(facts, rules)
    return facts


# --- one walk over the tree ------------------------------------------------------------------------


def _collect(facts: FileFacts) -> None:
    _directive(facts)
    facts.index = index(facts.root, facts.language)
    get = facts.index.get
    facts.functions = syntax.Functions([n for kind in syntax.FUNCTIONS for n in get(kind, [])])
    facts.calls = sorted([*get("call", []), *get("call_expression", []), *get("new_expression", [])], key=lambda n: n.start_byte)
    for node in facts.calls:
        _require(facts, node)
    for node in [*get("import_statement", []), *get("import_from_statement", [])]:
        _import(facts, node)
    for node in [*get("assignment", []), *get("variable_declarator", []), *get("assignment_expression", [])]:
        _string_constant(facts, node)


def _directive(facts: FileFacts) -> None:
    for child in facts.root.children:
        if child.type == "comment":
            continue
        if child.type == "expression_statement" and child.named_child_count == 1 and child.named_children[0].type == "string":
            facts.directive = syntax.unquote(text(child.named_children[0]))
        return


def _import(facts: FileFacts, node: Node) -> None:
    if facts.python:
        _python_import(facts, node)
        return
    source = node.child_by_field_name("source")
    if source is None:
        return
    module = syntax.unquote(text(source))
    names = [_local_name(n) for n in syntax.walk(node) if n.type in ("identifier", "import_specifier") and _is_binding(n)]
    type_only = any(child.type == "type" or text(child) == "type" for child in node.children[:2])
    _add_import(facts, Import(module, tuple(names), node, type_only))


def _is_binding(node: Node) -> bool:
    parent = node.parent
    if node.type == "import_specifier":
        return True
    return parent is not None and parent.type in ("import_clause", "namespace_import")


def _local_name(node: Node) -> str:
    if node.type == "import_specifier":
        return text(node.child_by_field_name("alias") or node.child_by_field_name("name"))
    return text(node)


def _python_import(facts: FileFacts, node: Node) -> None:
    if node.type == "import_statement":
        for child in node.named_children:
            target = child.child_by_field_name("name") if child.type == "aliased_import" else child
            alias = child.child_by_field_name("alias") if child.type == "aliased_import" else None
            module = text(target)
            _add_import(facts, Import(module, (text(alias) if alias else module.split(".")[0],), node))
        return
    module_node = node.child_by_field_name("module_name")
    module = text(module_node)
    for child in node.named_children:
        if child == module_node:
            continue
        target = child.child_by_field_name("name") if child.type == "aliased_import" else child
        alias = child.child_by_field_name("alias") if child.type == "aliased_import" else None
        name = text(target)
        _add_import(facts, Import(f"{module}.{name}", (text(alias) if alias else name,), node))


def _require(facts: FileFacts, call: Node) -> None:
    """``const OpenAI = require("openai")`` and ``await import("openai")``."""
    if facts.python or syntax.callee_name(call) not in ("require", "import"):
        return
    args = syntax.arguments(call)
    if len(args) != 1 or args[0].type != "string":
        return
    declarator = call.parent
    for _ in range(syntax.MAX_UP):
        if declarator is None or declarator.type not in ("await_expression", "member_expression", "parenthesized_expression"):
            break
        declarator = declarator.parent
    names: tuple[str, ...] = ()
    if declarator is not None and declarator.type == "variable_declarator":
        target = declarator.child_by_field_name("name")
        names = tuple(syntax.bound_names(target)) if target is not None else ()
    _add_import(facts, Import(syntax.unquote(text(args[0])), names, call))


def _add_import(facts: FileFacts, item: Import) -> None:
    facts.imports.append(item)
    for name in item.names:
        facts.bindings[name] = item.module


def _string_constant(facts: FileFacts, node: Node) -> None:
    left = node.child_by_field_name("left") or node.child_by_field_name("name")
    right = node.child_by_field_name("right") or node.child_by_field_name("value")
    if left is None or right is None or left.type != "identifier":
        return
    value = syntax.literal_string(right) if right.type in ("string", "template_string") else None
    if value is None and right.type in ("string", "template_string"):
        value = text(right)  # an f-string or template: its fixed parts still name the host
    if value is not None:
        facts.strings[text(left)] = value


def _uses(facts: FileFacts, sdk: Sdk) -> bool:
    return any(_module_matches(item.module, sdk) for item in facts.imports)


def _module_matches(module: str, sdk: Sdk) -> bool:
    return any(module == m or module.startswith(m + ".") or module.startswith(m + "/") for m in sdk.modules)


# --- call sites ------------------------------------------------------------------------------------


def _find_sites(facts: FileFacts, rules: CodeRules) -> None:
    if facts.sdks:
        for call in facts.calls:
            site = _client_site(facts, call)
            if site is not None:
                facts.sites.append(site)
                _bind_client(facts, call, site.sdk)
        for call in facts.calls:
            site = _call_site(facts, call)
            if site is not None:
                facts.sites.append(site)
    for call in facts.calls:
        site = _http_site(facts, call, rules)
        if site is not None:
            facts.sites.append(site)
    facts.sites.sort(key=lambda site: site.node.start_byte)


def _client_site(facts: FileFacts, call: Node) -> Site | None:
    name = syntax.callee_name(call)
    if not name or "(" in name:
        return None
    origin = facts.bindings.get(name.split(".")[0])
    if origin is None:
        return None
    for sdk in facts.sdks:
        if _module_matches(origin, sdk) and any(syntax.suffix_match(name, pattern) for pattern in sdk.clients):
            return Site("client", call, sdk, syntax.read_args(call, facts.python))
    return None


def _bind_client(facts: FileFacts, call: Node, sdk: Sdk | None) -> None:
    if sdk is None:
        return
    parent = call.parent
    for _ in range(syntax.MAX_UP):
        if parent is None or parent.type not in ("await", "await_expression", "parenthesized_expression", "as_expression"):
            break
        parent = parent.parent
    if parent is None:
        return
    target = parent.child_by_field_name("left") or parent.child_by_field_name("name") or parent.child_by_field_name("property")
    if parent.type in ("assignment", "variable_declarator", "assignment_expression", "public_field_definition", "field_definition") and target is not None:
        for name in syntax.bound_names(target) or [text(target)]:
            facts.client_vars[name] = sdk
            facts.client_vars.setdefault(name.split(".")[-1], sdk)


def _call_site(facts: FileFacts, call: Node) -> Site | None:
    name = syntax.callee_name(call)
    if not name or call.type == "new_expression":
        return None
    sdk = _call_sdk(facts, name)
    if sdk is None:
        return None
    args = syntax.read_args(call, facts.python)
    model = args.top.get("model")
    if model is not None and model.type in syntax.CALLS and syntax.callee_name(model).rsplit(".", 1)[-1].startswith("Mock"):
        return None  # generateText({ model: new MockLanguageModelV3(...) }): no provider is called
    return Site("call", call, sdk, args)


def _call_sdk(facts: FileFacts, name: str) -> Sdk | None:
    owner = syntax.receiver(name)
    bound = facts.client_vars.get(owner) or facts.client_vars.get(owner.split(".")[-1]) if owner else None
    method = name.rsplit(".", 1)[-1]
    if bound is not None and method in bound.client_methods:
        return bound
    matches = []
    for sdk in facts.sdks:
        for pattern in sdk.calls:
            if "." in pattern and syntax.suffix_match(name, pattern):
                matches.append(sdk)
            elif "." not in pattern and _single_name_call(facts, name, pattern, sdk):
                matches.append(sdk)
    if not matches:
        return None
    if bound is not None and bound in matches:
        return bound
    return matches[0]


def _single_name_call(facts: FileFacts, name: str, pattern: str, sdk: Sdk) -> bool:
    """``generateText(...)`` imported from "ai"; ``litellm.completion(...)``."""
    parts = name.split(".")
    if parts[-1] != pattern or len(parts) > 2:
        return False
    origin = facts.bindings.get(parts[0])
    return origin is not None and _module_matches(origin, sdk)


def _http_site(facts: FileFacts, call: Node, rules: CodeRules) -> Site | None:
    name = syntax.callee_name(call)
    if not name:
        return None
    if name.rsplit(".", 1)[-1] not in rules.http_names:
        return None
    spec = next((h for h in rules.http if h.lang == facts.family and any(syntax.suffix_match(name, c) for c in h.calls)), None)
    if spec is None:
        return None
    args = syntax.arguments(call)
    url = args[0] if args else None
    if url is None and facts.python:
        url = syntax.read_args(call, True).top.get("url")
    if url is None or not _names_provider_host(facts, url, rules):
        return None
    return Site("http", call, None, syntax.read_args(call, facts.python), spec)


def _names_provider_host(facts: FileFacts, url: Node, rules: CodeRules) -> bool:
    values = [text(url)]
    for node in [url, *syntax.walk(url)]:
        if node.type == "identifier" and text(node) in facts.strings:
            values.append(facts.strings[text(node)])
    return any(host in value for value in values for host in rules.hosts)
