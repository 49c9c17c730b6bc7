"""aicheck code on Python apps: a FastAPI endpoint with the OpenAI and Anthropic SDKs, a LangChain
agent loop, raw HTTP to a provider, model output into SQL and a shell."""

from __future__ import annotations

from pathlib import Path

from tests.codekit import found, line_of, run

FASTAPI = '''
import anthropic
from fastapi import FastAPI, HTTPException
from openai import OpenAI
from pydantic import BaseModel

SYSTEM = "You are a support agent for Acme. Answer in two sentences."
app = FastAPI()
openai_client = OpenAI()
claude = anthropic.Anthropic(timeout=20.0, max_retries=3)


class ChatIn(BaseModel):
    message: str
    persona: str


@app.post("/chat")
async def chat(body: ChatIn):
    resp = openai_client.chat.completions.create(  # CHAT
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"You are {body.persona}. " + SYSTEM},
            {"role": "user", "content": body.message},
        ],
    )
    return {"answer": resp.choices[0].message.content}


@app.post("/summary")
async def summary(body: ChatIn):
    try:
        msg = claude.messages.create(  # SUMMARY
            model="claude-3-5-haiku-latest",
            max_tokens=512,
            system=SYSTEM,
            messages=[{"role": "user", "content": body.message}],
        )
    except anthropic.APIError as exc:
        raise HTTPException(503, "The assistant is busy, try again") from exc
    return {"answer": msg.content[0].text}


@app.post("/persona")
async def persona(body: ChatIn):
    try:
        msg = claude.messages.create(model="claude-3-5-haiku-latest", max_tokens=256, system=body.persona, messages=[])  # PERSONA
    except anthropic.APIError as exc:
        raise HTTPException(503, "busy") from exc
    return {"answer": msg.content[0].text}
'''


def test_fastapi_endpoint_with_openai_and_anthropic(tmp_path: Path) -> None:
    result = run(tmp_path, {"api/main.py": FASTAPI})
    chat = line_of(FASTAPI, "# CHAT")
    assert found(result) == {
        ("llm-no-timeout", "api/main.py", line_of(FASTAPI, "openai_client = OpenAI()")),
        ("llm-output-uncapped", "api/main.py", chat),
        ("llm-call-unhandled", "api/main.py", chat),
        ("llm-user-input-in-system-prompt", "api/main.py", chat),
        ("llm-user-input-in-system-prompt", "api/main.py", line_of(FASTAPI, "# PERSONA")),
    }
    timeout = next(item for item in result.findings if item.rule == "llm-no-timeout")
    assert "600 s" in timeout.message and "timeout=" in timeout.fix


def test_timeout_on_every_call_or_with_options_counts(tmp_path: Path) -> None:
    source = '''
    from openai import OpenAI
    client = OpenAI(max_retries=3)
    def ask(q):
        return client.chat.completions.create(model="gpt-4o-mini", max_completion_tokens=100, timeout=15, messages=[{"role": "user", "content": q}])
    '''
    assert found(run(tmp_path, {"ask.py": source})) == set()


def test_timeout_none_is_no_timeout_and_max_retries_zero(tmp_path: Path) -> None:
    source = '''
    from openai import AsyncOpenAI
    client = AsyncOpenAI(
        timeout=None,
        max_retries=0,
    )
    '''
    result = run(tmp_path, {"llm.py": source})
    assert found(result) == {("llm-no-timeout", "llm.py", 2), ("llm-no-retries", "llm.py", 4)}


AGENT = '''
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI

MAX_STEPS = 8
llm = ChatOpenAI(model="gpt-4o", timeout=30, max_tokens=1024)
loose = ChatOpenAI(model="gpt-4o-mini")


def agent(question, tools):
    messages = [HumanMessage(question)]
    while True:  # UNBOUNDED
        ai = llm.bind_tools(tools).invoke(messages)
        messages.append(ai)
        if not ai.tool_calls:
            return ai.content
        for call in ai.tool_calls:
            messages.append(ToolMessage(run_tool(call), tool_call_id=call["id"]))


def bounded(question, tools):
    messages = [HumanMessage(question)]
    for _ in range(MAX_STEPS):
        ai = llm.bind_tools(tools).invoke(messages)
        if not ai.tool_calls:
            return ai.content


def counted(question):
    steps = 0
    while True:
        steps += 1
        if steps >= MAX_STEPS:
            break
        ai = llm.invoke(question)


def chat_repl():
    while True:
        question = input("You: ")
        print(llm.invoke(question).content)
'''


def test_langchain_agent_loop(tmp_path: Path) -> None:
    result = run(tmp_path, {"agent.py": AGENT})
    loose = line_of(AGENT, "loose = ChatOpenAI")
    assert found(result) == {
        ("llm-unbounded-agent-loop", "agent.py", line_of(AGENT, "# UNBOUNDED")),
        ("llm-output-uncapped", "agent.py", loose),
        ("llm-no-timeout", "agent.py", loose),
    }


RAW = '''
import os

import requests
from tenacity import retry, stop_after_attempt, wait_random_exponential

GROQ_URL = "https://api.groq.com/openai/v1/chat/completions"


def ask_groq(prompt):
    r = requests.post(GROQ_URL, headers={"Authorization": f"Bearer {os.environ['GROQ_API_KEY']}"},  # RAW
                      json={"model": "llama-3.3-70b-versatile", "messages": [{"role": "user", "content": prompt}]})
    return r.json()["choices"][0]["message"]["content"]


@retry(wait=wait_random_exponential(max=10), stop=stop_after_attempt(3))
def ask_groq_well(prompt):
    r = requests.post(GROQ_URL, timeout=20, json={"model": "llama-3.3-70b-versatile", "max_tokens": 300, "messages": []})
    return r.json()


def notify(text):
    requests.post("https://hooks.example.com/notify", json={"text": text})
'''


def test_raw_http_to_a_catalog_provider_host(tmp_path: Path) -> None:
    line = line_of(RAW, "# RAW")
    assert found(run(tmp_path, {"groq.py": RAW})) == {
        ("llm-no-timeout", "groq.py", line), ("llm-no-retries", "groq.py", line), ("llm-output-uncapped", "groq.py", line),
    }


SINKS = '''
import subprocess
import sqlite3

import litellm

db = sqlite3.connect("app.db")


def run_generated(task):
    resp = litellm.completion(model="groq/llama-3.3-70b-versatile", max_tokens=200, timeout=20, num_retries=2,
                              messages=[{"role": "user", "content": task}])
    code = resp.choices[0].message.content
    exec(code)  # EXEC
    subprocess.run(code, shell=True)  # SHELL
    subprocess.run(["echo", code])
    db.execute(f"SELECT * FROM notes WHERE title = '{code}'")  # SQL
    db.execute("SELECT * FROM notes WHERE title = ?", (code,))
    print(code)
'''


def test_model_output_into_exec_shell_and_sql(tmp_path: Path) -> None:
    assert found(run(tmp_path, {"tasks.py": SINKS})) == {
        ("llm-output-to-dangerous-sink", "tasks.py", line_of(SINKS, "# EXEC")),
        ("llm-output-to-dangerous-sink", "tasks.py", line_of(SINKS, "# SHELL")),
        ("llm-output-to-dangerous-sink", "tasks.py", line_of(SINKS, "# SQL")),
    }


def test_mistral_timeout_ms_and_gemini_config(tmp_path: Path) -> None:
    source = '''
    from google import genai
    from google.genai import types
    from mistralai import Mistral

    mistral = Mistral(api_key="x", timeout_ms=20000)
    gemini = genai.Client(http_options=types.HttpOptions(timeout=20000))

    def ask(q):
        a = mistral.chat.complete(model="mistral-small-latest", max_tokens=300, messages=[{"role": "user", "content": q}])
        b = gemini.models.generate_content(model="gemini-2.5-flash", contents=q,
                                           config=types.GenerateContentConfig(max_output_tokens=300))
        c = gemini.models.generate_content(model="gemini-2.5-flash", contents=q)  # UNCAPPED
        d = gemini.models.generate_content(model="gemini-2.5-flash", contents=q, config=settings.config)
        return a, b, c, d
    '''
    assert found(run(tmp_path, {"multi.py": source})) == {("llm-output-uncapped", "multi.py", line_of(source, "# UNCAPPED"))}


def test_code_that_only_mentions_openai_is_not_a_call_site(tmp_path: Path) -> None:
    source = '''
    import httpx

    # Works with openai-compatible servers too.
    client = httpx.Client()
    def create(chat):
        return chat.completions.create(model="x")
    '''
    result = run(tmp_path, {"util.py": source})
    assert result.findings == [] and result.sites == 0
