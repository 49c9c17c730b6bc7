"""The rules: from one file's call sites (and, for the fallback rule, all files) to findings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from aicheck.code import flow, syntax
from aicheck.code.parse import text
from aicheck.code.result import CodeFinding
from aicheck.code.rules import CodeRules, Sdk
from aicheck.code.sites import CLIENT_DIRECTIVE, SERVER_DIRECTIVE, FileFacts, Site

if TYPE_CHECKING:
    from tree_sitter import Node

PUBLIC_ENV = re.compile(r"^(?:import\.meta\.env\.VITE_|process\.env\.(?:NEXT_PUBLIC_|REACT_APP_|EXPO_PUBLIC_|GATSBY_|VUE_APP_|NUXT_PUBLIC_|PUBLIC_))\w*")
CAP_NAME = re.compile(r"max|limit|cap|budget|steps?$|iter|turn|round|attempt|count", re.IGNORECASE)
HANDLER_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "api_route", "websocket", "api_view"}
HANDLER_METHODS = {"get", "post", "put", "patch", "delete", "all"}
ROUTE_EXPORTS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
FLOW_BUDGET_PER_BYTE = 3  # node visits of the dataflow per source byte: linear in the file, whatever its shape
FLOW_BUDGET_MIN = 200_000
SERVER_SEGMENTS = {"server", "api", "functions", "convex", "supabase", "backend", "worker", "workers", "scripts"}


@dataclass(frozen=True)
class Hit:
    rule: str
    node: Node
    sdk: Sdk | None
    fields: dict[str, str]


def check_file(facts: FileFacts, rules: CodeRules, vite_roots: frozenset[str]) -> list[CodeFinding]:
    hits: list[Hit] = []
    for check in (_timeouts, _retries, _uncapped, _steps):
        hits.extend(check(facts, rules))
    hits.extend(_browser(facts, rules, vite_roots))
    hits.extend(_flows(facts, rules))
    seen: set[tuple[str, int]] = set()
    findings = []
    for hit in hits:
        key = (hit.rule, hit.node.start_point[0])
        if key not in seen:
            seen.add(key)
            findings.append(finding(hit, facts, rules))
    return findings


def finding(hit: Hit, facts: FileFacts, rules: CodeRules) -> CodeFinding:
    rule = rules.rules[hit.rule]
    fields = {"sdk": hit.sdk.id if hit.sdk else "raw HTTP", "what": "call", "default": "", "detail": "", **hit.fields}
    row = hit.node.start_point[0]
    lines = facts.lines
    snippet = lines[row].decode("utf-8", "replace").strip()[:200] if row < len(lines) else ""
    return CodeFinding(hit.rule, rule.severity, rule.title, facts.rel, row + 1, hit.node.start_point[1] + 1,
                       hit.sdk.id if hit.sdk else None, rule.message.format(**fields), rule.fix(facts.family), snippet)


# --- 1. timeouts and retries --------------------------------------------------------------------


def _set(site: Site, names: tuple[str, ...]) -> Node | None:
    """The value of the first of ``names`` set on the site (nested config included), unless it is None."""
    for name in names:
        value = site.args.nested.get(name)
        if value is not None and not syntax.is_none(value):
            return value
    return None


def _timeouts(facts: FileFacts, rules: CodeRules) -> Iterator[Hit]:
    with_options = any(syntax.callee_name(c).endswith(("with_options", "withOptions")) and "timeout" in text(c) for c in facts.calls)
    for site in facts.sites:
        if site.args.opaque:
            continue
        if site.kind == "http" and site.http is not None and site.http.timeout and _set(site, site.http.timeout) is None:
            yield Hit("llm-no-timeout", site.node, None, {"default": site.http.default_timeout})
        if site.sdk is None or site.sdk.no_timeout_check or not site.sdk.timeout or _set(site, site.sdk.timeout) is not None:
            continue
        default = site.sdk.default_timeout
        if site.kind == "client" and not with_options and not _calls_all_timed(facts, site.sdk):
            yield Hit("llm-no-timeout", site.node, site.sdk, {"what": "client", "default": default})
        elif site.kind == "call" and not site.sdk.clients:
            yield Hit("llm-no-timeout", site.node, site.sdk, {"what": "call", "default": default})


def _calls_all_timed(facts: FileFacts, sdk: Sdk) -> bool:
    calls = [s for s in facts.sites if s.kind == "call" and s.sdk == sdk]
    return bool(calls) and all(_set(s, sdk.timeout) is not None for s in calls)


def _retries(facts: FileFacts, rules: CodeRules) -> Iterator[Hit]:
    for site in facts.sites:
        if site.sdk is not None:
            for name in site.sdk.retries:
                value = site.args.top.get(name)
                if value is not None and syntax.is_false_or_zero(value):
                    yield Hit("llm-no-retries", value, site.sdk, {"detail": f"{name}={text(value)} turns off the {site.sdk.id} retries"})
            if site.kind == "client" and site.sdk.default_retries == 0 and site.sdk.retries and not site.args.opaque \
                    and all(n not in site.args.nested for n in site.sdk.retries):
                yield Hit("llm-no-retries", site.node, site.sdk, {"detail": f"The {site.sdk.id} client does not retry unless {site.sdk.retries[0]} is set"})
        elif site.kind == "http" and not _retried(facts, site.node):
            yield Hit("llm-no-retries", site.node, None, {"detail": "A raw HTTP call to the provider with no retry loop or retry decorator around it"})


LOOPS = ("for_statement", "while_statement", "do_statement", "for_in_statement")


def _retried(facts: FileFacts, node: Node) -> bool:
    """A loop around the call in its function, or a retry decorator on the function."""
    function = facts.functions.innermost(node)
    low = function.start_byte if function is not None else -1
    for loop in (n for kind in LOOPS for n in facts.index.get(kind, ())):
        if low < loop.start_byte <= node.start_byte and node.end_byte <= loop.end_byte:
            return True
    holder = function.parent if function is not None else None
    if holder is not None and holder.type == "decorated_definition":
        return any(c.type == "decorator" and re.search(r"retry|backoff|tenacity", text(c), re.I) for c in holder.children)
    return False


# --- 2. output caps, 7. step limits -------------------------------------------------------------


def _uncapped(facts: FileFacts, rules: CodeRules) -> Iterator[Hit]:
    every_cap = tuple({name for sdk in rules.sdks for name in sdk.max_tokens})
    for site in facts.sites:
        if site.args.opaque:
            continue
        if site.kind == "http":
            body = site.args.nested.get("json") or site.args.nested.get("body")
            if body is not None and body.type in syntax.CALLS and syntax.callee_name(body) == "JSON.stringify":
                body = next(iter(syntax.arguments(body)), None)  # fetch(url, { body: JSON.stringify({...}) })
            if body is not None and body.type in ("dictionary", "object") and _set(site, every_cap) is None:
                yield Hit("llm-output-uncapped", site.node, None, {})
            continue
        sdk = site.sdk
        if sdk is None or not sdk.max_tokens or site.kind != ("client" if sdk.tokens_on == "client" else "call"):
            continue
        if _set(site, sdk.max_tokens) is None:
            yield Hit("llm-output-uncapped", site.node, sdk, {"what": "model" if site.kind == "client" else "call"})


def _steps(facts: FileFacts, rules: CodeRules) -> Iterator[Hit]:
    for site in facts.sites:
        if site.sdk is None:
            continue
        for name in site.sdk.step_settings:
            value = site.args.top.get(name)
            limit = syntax.number(value) if value is not None else None
            if value is not None and limit is not None and limit > rules.max_steps:
                yield Hit("llm-unbounded-agent-loop", value, site.sdk, {"detail": f"{name}: {text(value)} lets the agent run almost without limit"})
        for value in site.args.nested.values():
            if value.type in syntax.CALLS and syntax.callee_name(value) in site.sdk.step_calls:
                args = syntax.arguments(value)
                limit = syntax.number(args[0]) if args else None
                if limit is not None and limit > rules.max_steps:
                    yield Hit("llm-unbounded-agent-loop", value, site.sdk, {"detail": f"{text(value)} lets the agent run almost without limit"})
    yield from _loops(facts, rules)


def _loops(facts: FileFacts, rules: CodeRules) -> Iterator[Hit]:
    calls = {site.node for site in facts.sites if site.kind in ("call", "http")}
    if not calls:
        return
    loops = [n for kind in ("while_statement", "do_statement", "for_statement") for n in facts.index.get(kind, ())]
    budget = flow.Budget(FLOW_BUDGET_PER_BYTE * len(facts.source) + FLOW_BUDGET_MIN)
    for node in loops:
        if not syntax.is_infinite_loop(node):
            continue
        body = syntax.loop_body(node) or node
        home = facts.functions.innermost(node)
        inside = sorted((n for n in calls if body.start_byte <= n.start_byte and n.end_byte <= body.end_byte
                         and facts.functions.innermost(n) == home), key=lambda n: n.start_byte)
        try:
            if not inside or _capped(body, budget) or _waits_for_user(body, rules, budget):
                continue
        except flow.TooComplex:
            return
        site = facts.site_at(inside[0])
        header = text(node).split("\n", 1)[0].rstrip(" {:")
        yield Hit("llm-unbounded-agent-loop", node, site.sdk if site else None,
                  {"detail": f"`{header}` calls the model with no iteration cap"})


def _waits_for_user(body: Node, rules: CodeRules, budget: flow.Budget) -> bool:
    """A chat REPL: each turn waits for the person at the keyboard (``input()``, ``rl.question()``)."""
    names = rules.flow.user_turn_calls
    for node in syntax.walk(body, into_functions=False):
        budget.spend()
        if node.type in syntax.CALLS:
            name = syntax.callee_name(node)
            if name in names or name.rsplit(".", 1)[-1] in names:
                return True
    return False


def _capped(body: Node, budget: flow.Budget) -> bool:
    """A relational comparison against a number or a limit-like name inside the loop."""
    for node in syntax.walk(body, into_functions=False):
        budget.spend()
        if node.type not in ("comparison_operator", "binary_expression"):
            continue
        if not any(text(op) in ("<", ">", "<=", ">=") for op in node.children if not op.is_named):
            continue
        operands = [c for c in node.children if c.is_named]
        if any(c.type in syntax.NUMBERS or CAP_NAME.search(text(c)) for c in operands):
            return True
    return False


# --- 3. keys and clients in the browser --------------------------------------------------------


def _browser(facts: FileFacts, rules: CodeRules, vite_roots: frozenset[str]) -> Iterator[Hit]:
    if facts.python:
        return
    for node in facts.index.get("pair", ()):
        if text(node.child_by_field_name("key")) == "dangerouslyAllowBrowser":
            value = node.child_by_field_name("value")
            if value is not None and syntax.is_true(value):
                yield Hit("llm-key-in-browser", node, None, {"detail": "dangerouslyAllowBrowser: true puts the client and its key in the browser"})
    for site in facts.sites:
        if site.kind == "client" and site.sdk is not None and site.sdk.server_only:
            yield from _public_key(facts, site)
    if _client_side(facts, vite_roots):
        yield from _client_imports(facts)
        for site in facts.sites:
            if site.kind == "http":
                yield Hit("llm-key-in-browser", site.node, None, {"detail": "Browser code calls the provider's API directly, with its key"})


def _public_key(facts: FileFacts, site: Site) -> Iterator[Hit]:
    for node in syntax.walk(site.node):
        name = syntax.dotted(node) if node.type == "member_expression" else None
        if name and PUBLIC_ENV.match(name):
            yield Hit("llm-key-in-browser", node, site.sdk, {"detail": f"{name} (a public build variable) is the key of this client"})


def _client_side(facts: FileFacts, vite_roots: frozenset[str]) -> bool:
    if facts.directive == CLIENT_DIRECTIVE:
        return True
    path = PurePosixPath(facts.rel)
    if any(part in SERVER_SEGMENTS for part in path.parts[:-1]) or ".server." in path.name or ".config." in path.name:
        return False
    for root in vite_roots:
        prefix = f"{root}/src/" if root else "src/"
        if facts.rel.startswith(prefix):
            return True
    return False


def _client_imports(facts: FileFacts) -> Iterator[Hit]:
    for item in facts.imports:
        if item.type_only:
            continue
        sdk = next((s for s in facts.sdks if s.server_only and any(item.module == m or item.module.startswith(m + "/") for m in s.modules)), None)
        if sdk is None or sdk.browser_exports and not set(item.names) & set(sdk.browser_exports):
            continue
        if not sdk.import_ships_key and not any(site.kind == "client" and site.sdk == sdk for site in facts.sites):
            continue
        where = "a \"use client\" component" if facts.directive == CLIENT_DIRECTIVE else "Vite browser code (src/)"
        yield Hit("llm-key-in-browser", item.node, sdk, {"detail": f"{item.module} is imported in {where}"})


# --- 4. user input in the system prompt, 5. model output into sinks, 6. error handling ----------


def _flows(facts: FileFacts, rules: CodeRules) -> Iterator[Hit]:
    llm_sites = [site for site in facts.sites if site.kind in ("call", "http")]
    hooks = [c for c in facts.calls if syntax.callee_name(c) in rules.flow.output_hooks]
    units: dict[int, Node] = {}
    for node in [site.node for site in llm_sites] + hooks:
        unit = flow.unit_of(node, facts.root, facts.functions)
        units.setdefault(unit.start_byte, unit)
    llm_nodes = {site.node for site in llm_sites}
    by_unit: dict[int, list[Site]] = {}
    for site in llm_sites:
        by_unit.setdefault(flow.unit_of(site.node, facts.root, facts.functions).start_byte, []).append(site)
    budget = flow.Budget(FLOW_BUDGET_PER_BYTE * len(facts.source) + FLOW_BUDGET_MIN)
    try:
        for key, unit in units.items():
            steps = flow.nodes_of(unit, facts.index, flow.STEPS, facts.functions)
            sites_here = by_unit.get(key, [])
            if sites_here:
                user = flow.user_input(unit, steps, rules.flow, _handler_params(facts, unit) or [], budget)
                for site in sites_here:
                    yield from _system_prompt(site, user)
                    yield from _unhandled(facts, site)
            output = flow.model_output(steps, llm_nodes, rules.flow, budget)
            if output.names or llm_nodes:
                yield from _sinks(facts, flow.nodes_of(unit, facts.index, SINK_TYPES, facts.functions), output, llm_nodes, rules)
    except flow.TooComplex:
        facts.notes.append(f"{facts.rel}: too complex to follow user input and model output in full; those checks stopped early")


def _system_prompt(site: Site, user: flow.Taint) -> Iterator[Hit]:
    if site.sdk is None:
        return
    no_source = _no_source
    for name in site.sdk.system:
        value = site.args.top.get(name)
        if value is not None and flow.tainted(value, user, no_source):
            yield Hit("llm-user-input-in-system-prompt", site.node, site.sdk, {"detail": f"the {name} argument"})
            return
    for arg in syntax.arguments(site.node):
        if flow.builds_system_message(arg, user, no_source):
            yield Hit("llm-user-input-in-system-prompt", site.node, site.sdk, {"detail": "a system message"})
            return


def _no_source(node: Node) -> bool:
    return False


SINK_TYPES = frozenset({*syntax.CALLS, "assignment_expression", "jsx_attribute"})


def _sinks(facts: FileFacts, nodes: list[Node], output: flow.Taint, llm_nodes: set[Node], rules: CodeRules) -> Iterator[Hit]:
    sinks = rules.flow

    def bad(node: Node) -> bool:
        return flow.tainted(node, output, lambda n: n in llm_nodes)

    for node in nodes:
        if node.type in syntax.CALLS:
            name = syntax.callee_name(node)
            args = syntax.arguments(node)
            first = args[0] if args else None
            last = name.rsplit(".", 1)[-1]
            if first is None or node in llm_nodes:
                continue
            if any(syntax.suffix_match(name, s) for s in sinks.code_sinks) and bad(first) and _runs_code(facts, name):
                yield Hit("llm-output-to-dangerous-sink", node, None, {"detail": f"{name}(), which runs it as code"})
            elif any(syntax.suffix_match(name, s) for s in sinks.shell_sinks) and "shell=True" in text(node).replace(" ", "") and bad(first):
                yield Hit("llm-output-to-dangerous-sink", node, None, {"detail": f"{name}(..., shell=True), which runs it in a shell"})
            elif last in sinks.sql_sinks and syntax.is_built_string(first) and bad(first):
                yield Hit("llm-output-to-dangerous-sink", node, None, {"detail": f"a SQL string built for {name}()"})
            elif (last in sinks.html_sinks or name in sinks.html_sinks) and any(bad(a) for a in args):
                yield Hit("llm-output-to-dangerous-sink", node, None, {"detail": f"{name}(), which renders it as HTML"})
        elif node.type == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            prop = left.child_by_field_name("property") if left is not None and left.type == "member_expression" else None
            if prop is not None and text(prop) in sinks.html_sinks and right is not None and bad(right):
                yield Hit("llm-output-to-dangerous-sink", node, None, {"detail": f"{text(prop)}, which renders it as HTML"})
        elif node.type == "jsx_attribute" and node.named_children and text(node.named_children[0]) in sinks.html_sinks:
            if any(bad(child) for child in node.named_children[1:]):
                yield Hit("llm-output-to-dangerous-sink", node, None, {"detail": "dangerouslySetInnerHTML, which renders it as HTML"})


def _runs_code(facts: FileFacts, name: str) -> bool:
    """``exec`` is Python's builtin, or child_process's in JS (not a regex's ``.exec``)."""
    if facts.python or name in ("eval", "Function", "vm.runInNewContext", "vm.runInThisContext"):
        return "." not in name or name.startswith(("os.", "vm."))
    origin = facts.bindings.get(name.split(".")[0], "")
    return origin in ("child_process", "node:child_process")


def _unhandled(facts: FileFacts, site: Site) -> Iterator[Hit]:
    function = facts.functions.innermost(site.node)
    if site.kind != "call" or function is None or not _is_handler(facts, function):
        return
    if site.sdk is not None and any(name in site.args.top for name in site.sdk.error_callbacks):
        return
    if site.sdk is not None and _callback_in(facts, function, site.sdk.error_callbacks):
        return  # result.toUIMessageStreamResponse({ onError }) handles the stream's errors
    if _handled(site.node, function):
        return
    yield Hit("llm-call-unhandled", site.node, site.sdk, {})


def _callback_in(facts: FileFacts, function: Node, names: tuple[str, ...]) -> bool:
    pairs = flow.nodes_of(function, facts.index, {"pair", "keyword_argument"}, facts.functions)
    return bool(names) and any(text(n.child_by_field_name("key") or n.child_by_field_name("name")) in names for n in pairs)


def _handled(node: Node, function: Node) -> bool:
    parent: Node | None = node.parent
    child = node
    for _ in range(syntax.MAX_UP):
        if parent is None or parent == function:
            break
        if parent.type == "try_statement" and child == parent.child_by_field_name("body"):
            return True
        if parent.type == "member_expression" and text(parent.child_by_field_name("property")) in ("catch", "then", "finally"):
            return True
        child = parent
        parent = parent.parent
    return False


def _is_handler(facts: FileFacts, function: Node) -> bool:
    return _handler_params(facts, function) is not None


def _handler_params(facts: FileFacts, function: Node) -> list[str] | None:
    """The parameters that carry user input if ``function`` is a request handler, else None."""
    if function.type not in syntax.FUNCTIONS:
        return None
    params = [syntax.parameter_name(p) or "" for p in syntax.parameters(function)]
    if facts.python:
        return _python_handler(function, params)
    if _js_route(facts, function):
        return []  # the request object's body/query/json() are the sources
    if facts.directive == SERVER_DIRECTIVE and function.parent is not None and function.parent.type == "export_statement":
        return params  # a server action: every argument comes from the browser
    return None


def _python_handler(function: Node, params: list[str]) -> list[str] | None:
    parent = function.parent
    if parent is None or parent.type != "decorated_definition":
        return None
    for decorator in (c for c in parent.children if c.type == "decorator"):
        expr = decorator.named_children[0] if decorator.named_children else None
        name = syntax.callee_name(expr) if expr is not None and expr.type == "call" else syntax.dotted(expr) or ""
        if name.rsplit(".", 1)[-1] in HANDLER_DECORATORS and "." in name:
            return [p for p, node in zip(params, syntax.parameters(function)) if p not in ("self", "cls", "request", "req")
                    and "Depends(" not in text(node) and not re.search(r":\s*(Session|BackgroundTasks|Response|AsyncSession)\b", text(node))]
    return None


def _js_route(facts: FileFacts, function: Node) -> bool:
    parent = function.parent
    if function.type == "function_declaration":
        name = text(function.child_by_field_name("name"))
        exported = parent is not None and parent.type == "export_statement"
        return exported and (name in ROUTE_EXPORTS or "default" in text(parent).split("function", 1)[0] and "/api/" in f"/{facts.rel}")
    if parent is not None and parent.type == "variable_declarator":
        name = text(parent.child_by_field_name("name"))
        statement = parent.parent.parent if parent.parent is not None else None
        return name in ROUTE_EXPORTS and statement is not None and statement.type == "export_statement"
    if parent is not None and parent.type == "arguments" and parent.parent is not None and parent.parent.type == "call_expression":
        call = parent.parent
        method = syntax.callee_name(call).rsplit(".", 1)[-1]
        args = syntax.arguments(call)
        return method in HANDLER_METHODS and bool(args) and args[0].type in ("string", "template_string") and syntax.unquote(text(args[0])).startswith("/")
    return False


# --- 8. one provider, one model ----------------------------------------------------------------


def fallback(all_facts: list[FileFacts], rules: CodeRules) -> Hit | None:
    """A repo-level hit when every call uses one provider and one hard-coded model."""
    providers: set[str] = set()
    models: set[str] = set()
    first: tuple[FileFacts, Site] | None = None
    for facts in all_facts:
        for site in facts.sites:
            if site.kind == "http" or site.sdk is None:
                continue
            identity, model = _provider_model(site)
            if identity is None or model is None:
                return None  # a model or endpoint chosen at run time: it may already switch
            providers.add(identity)
            if model:
                models.add(model)
            first = first or (facts, site)
    if first is None or len(providers) != 1 or len(models) != 1:
        return None
    facts, site = first
    detail = f"{next(iter(providers))} with the model {next(iter(models))}"
    return Hit("llm-no-fallback", site.node, site.sdk, {"detail": detail, "_file": facts.rel})


def _provider_model(site: Site) -> tuple[str | None, str | None]:
    sdk = site.sdk
    assert sdk is not None
    base = next((site.args.top[n] for n in sdk.base_url if n in site.args.top), None)
    identity = sdk.provider if base is None else syntax.literal_string(base)
    model_node = site.args.top.get("model")
    if model_node is None:
        return identity, ""  # a client: the model is on its calls
    model = syntax.literal_string(model_node)
    if model is None and model_node.type in syntax.CALLS:  # AI SDK: openai("gpt-4o")
        args = syntax.arguments(model_node)
        model = syntax.literal_string(args[0]) if args else None
        identity = syntax.callee_name(model_node).split(".")[0] if model is not None else None
    elif model is not None and sdk.provider == "ai-sdk" and "/" in model:  # gateway "openai/gpt-4o"
        identity = model.split("/", 1)[0]
    return identity, model
