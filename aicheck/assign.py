"""The assignment grammar: what may stand between a variable's name and its value.

Every name-based rule (a key with no prefix of its own, the generic rule) matches from a name
through this grammar to the value, so this is the one place to teach aicheck a new language.
It is shared by the scanner's detector and anything else that reads ``name <op> value`` text.

Forms understood (``NAME`` contains the rule's context word; the value follows):

- Python, Ruby, shell, .env, TOML, .properties, C#, Java: ``NAME = "v"``, ``NAME=v``, ``export NAME=v``
- Go and Kotlin with a type: ``var name string = "v"``, ``val name: String = "v"``; Go ``name := "v"``
- JS/TS, YAML, JSON, Ruby hashes: ``name: "v"``, ``"name": "v"``, ``:name => "v"``, ``"name" => "v"``
- PHP: ``$name = "v"``, ``$name .= "v"``, ``$name ??= "v"``
- Makefiles: ``NAME = v``, ``NAME := v``, ``NAME ::= v``, ``NAME :::= v``, ``NAME ?= v``
- Dockerfiles: ``ENV NAME=v``, ``ARG NAME=v``
- XML/HTML: ``<name>v</name>``, also with the value on its own line; ``&quot;name&quot;: &quot;v``
- ``NAME=v\\n`` inside a JSON string (the value ends at the escaped line break)
- calls: ``getenv("NAME", "v")``, ``setProperty("NAME", "v")`` (a quoted name, a comma, a value)

All patterns are bytes, in the syntax shared by Python's ``re`` and RE2 (no look-around, no
backreferences), so a linear-time engine can run them unchanged.
"""

from __future__ import annotations

# The rest of the name after the context word, then any closing quotes or brackets:
# API_TOKEN", token'], &quot;token&quot;. Escaped JSON (\"token\": \"v\") is read in the
# scanner's unescaped view of the file, not here.
NAME_END = rb"""[A-Za-z0-9_.-]*(?:["'`\]]|&quot;)*"""
# Go and Kotlin declare a type between name and operator: `token string =`, `token: String =`.
# One alternative, not one per spelling: this group is tried at every name, so it must be cheap.
TYPE = rb"""(?:[: \t][ \t]*(?:string|String|str))?"""
# Operators, longest first. `>` ends an XML start tag; its value may sit on the next line.
OPERATORS = rb"""(?:=>|:::=|::=|:=|\?\?=|\?=|\.=|\|\|=|==?|:|>(?:[ \t]*\r?\n)?)"""
# A comma joins a name and a value in calls; for free-form values only between quotes
# (setProperty("NAME", "v")), not in `check(SECRET_KEY, id=...)`. Lists of words such as
# ["secret", "other"] also fit; the value filters drop their words.
COMMA = rb""","""
QUOTED_COMMA = rb"""(?:["'`][ \t]*,[ \t]*["'`])"""
VALUE_START = rb"""[ \t]*(?:["'`]|&quot;|b["']|r["'])?"""

# A provider's own key shape after a comma (getenv("GROQ_API_KEY", "gsk_...")) is specific
# enough to keep; a free-form value after a bare comma is not.
ASSIGN = NAME_END + TYPE + rb"[ \t]*(?:" + OPERATORS + rb"|" + COMMA + rb")" + VALUE_START
ASSIGN_GENERIC = NAME_END + TYPE + rb"[ \t]*(?:" + OPERATORS + rb"|" + QUOTED_COMMA + rb")" + VALUE_START
