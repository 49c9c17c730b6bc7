"""``aicheck code``: production-readiness checks of the app's own LLM call sites.

rules.py reads the data (catalog/code_rules.toml), files.py lists the source files, parse.py
turns a file into a tree-sitter tree, sites.py finds the SDK clients, model calls and raw HTTP
calls in it, flow.py follows user input and model output inside one function, checks.py turns
all that into findings (result.py), and run.py ties them together for the command.
"""
