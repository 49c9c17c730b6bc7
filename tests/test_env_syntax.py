"""Syntax and hygiene checks on real .env files, read with python-dotenv's semantics."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.envkit import check, found, keys, lines, write

# check id, a file with the problem, the line it is on, the same file without it
CASES = [
    ("env.duplicate-key", "A=1\nB=2\nA=3\n", 3, "A=1\nB=2\n"),
    ("env.invalid-key", "GOOD=1\nMY-KEY=2\n", 2, "GOOD=1\nMY_KEY=2\n"),
    ("env.invalid-key", "1ABC=x\n", 1, "ABC1=x\n"),
    ("env.lowercase-key", "API_KEY=1\nlog_level=debug\n", 2, "API_KEY=1\nLOG_LEVEL=debug\n"),
    ("env.space-around-equals", "A=1\nB = 2\n", 2, "A=1\nB=2\n"),
    ("env.space-around-equals", "B= 2\n", 1, "B=2 # a comment after a space is fine\n"),
    ("env.unterminated-quote", 'A=1\nB="never closed\nC=3\n', 2, 'A=1\nB="closed"\nC=3\n'),
    ("env.unterminated-quote", "A='open\nB=2\nC=3'\n", 1, "A='line one\nline two'\nB=2\n"),
    ("env.bad-substitution", "A=${HOME\n", 1, "A=${HOME}\n"),
    ("env.bad-substitution", "A=${}\n", 1, "A=${HOME:-/root}\n"),
    ("env.bad-substitution", "A=${HOME:=x}\n", 1, "A=$HOME is not expanded, and that is fine\n"),
    ("env.trailing-whitespace", "A=1\nB=2  \n", 2, "A=1\nB=2\n"),
    ("env.trailing-whitespace", "A=1\n   \nB=2\n", 2, "A=1\n\nB=2\n"),
    ("env.missing-equals", "A=1\nFLAG\n", 2, "A=1\nFLAG=\n"),
    ("env.syntax-error", "A=1\nthis is not an assignment\n", 2, "A=1\n# this is a comment\n"),
]


@pytest.mark.parametrize("check_id,bad,line,good", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_check_reports_the_problem_and_not_the_fixed_file(tmp_path: Path, check_id: str, bad: str, line: int, good: str) -> None:
    bad_result = check(write(tmp_path / "bad", {".env": bad}))
    assert lines(bad_result, check_id) == [line], bad_result.findings
    good_result = check(write(tmp_path / "good", {".env": good}))
    assert found(good_result, check_id) == [], good_result.findings


def test_line_numbers_count_comments_blank_lines_and_multiline_values(tmp_path: Path) -> None:
    text = '# header\n\n\nexport A=1\nPEM="-----BEGIN-----\nabc\n-----END-----"\n\nA=2\nB = 3\n'
    result = check(write(tmp_path, {".env": text}))
    assert lines(result, "env.duplicate-key") == [9]
    assert lines(result, "env.space-around-equals") == [10]
    assert found(result, "env.unterminated-quote") == []  # a multiline value is legitimate


def test_a_quote_closed_lines_later_swallows_the_assignments_between(tmp_path: Path) -> None:
    text = 'A="starts here\nB=2\nC=3\nends"\nD=4\n'
    assert dotenv_values(stream=__import__("io").StringIO(text)).keys() == {"A", "D"}  # what the app gets
    result = check(write(tmp_path, {".env": text}))
    (item,) = found(result, "env.unterminated-quote")
    assert (item.line, item.key) == (1, "A") and "B, C" in item.message and "line 4" in item.message


def test_crlf_files_keep_their_line_numbers(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": "A=1\r\nB=2\r\nA=3\r\n"}))
    assert lines(result, "env.duplicate-key") == [3]
    assert found(result, "env.trailing-whitespace") == []


def test_export_prefix_and_quoted_values_are_valid(tmp_path: Path) -> None:
    text = "export A=1\nB='single # not a comment'\nC=\"double\\nescape\"\nD=${A}-suffix\n"
    result = check(write(tmp_path, {".env": text}))
    assert result.findings == []


def test_invalid_key_message_names_the_characters(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": "my.key=1\n"}))
    (item,) = found(result, "env.invalid-key")
    assert "'.'" in item.message and item.key == "my.key"
    assert "MY_KEY" in found(result, "env.lowercase-key")[0].fix


def test_unterminated_quote_names_the_key(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": 'OPENAI_API_KEY="sk-proj-abc\n'}))
    assert keys(result, "env.unterminated-quote") == ["OPENAI_API_KEY"]
    assert found(result, "env.syntax-error") == []
