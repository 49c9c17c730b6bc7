"""aicheck code on JavaScript/TypeScript apps: a Vite + Express chat app, a Next.js route handler
with the AI SDK, client components, server actions."""

from __future__ import annotations

from pathlib import Path

from tests.codekit import found, line_of, run

VITE_CLIENT = '''
import OpenAI from "openai";

export const openai = new OpenAI({
  apiKey: import.meta.env.VITE_OPENAI_API_KEY,
  dangerouslyAllowBrowser: true,
  timeout: 20_000,
});
'''

CHAT_COMPONENT = '''
import { useChat } from "@ai-sdk/react";

export function Chat() {
  const { messages } = useChat({ api: "/api/chat" });
  return (
    <ul>
      {messages.map((m) => (
        <li key={m.id} dangerouslySetInnerHTML={{ __html: m.content }} />
      ))}
      {messages.map((m) => <li key={m.id}>{m.content}</li>)}
    </ul>
  );
}
'''

EXPRESS = '''
import express from "express";
import OpenAI from "openai";

const SYSTEM = "You are the Acme helper. Be brief.";
const app = express();
app.use(express.json());
const openai = new OpenAI({ timeout: 20_000, maxRetries: 3 });

app.post("/api/chat", async (req, res) => {
  const { message, system } = req.body;
  const completion = await openai.chat.completions.create({ // CHAT
    model: "gpt-4o-mini",
    max_tokens: 500,
    messages: [
      { role: "system", content: system },
      { role: "user", content: message },
    ],
  });
  res.json({ reply: completion.choices[0].message.content });
});

app.post("/api/safe", async (req, res) => {
  try {
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      max_tokens: 500,
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: req.body.message },
      ],
    });
    res.json({ reply: completion.choices[0].message.content });
  } catch (err) {
    res.status(503).json({ error: "The assistant is busy" });
  }
});

app.listen(3001);
'''


def test_vite_and_express_chat_app(tmp_path: Path) -> None:
    files = {
        "vite.config.ts": "export default {};\n",
        "src/lib/ai.ts": VITE_CLIENT,
        "src/components/Chat.jsx": CHAT_COMPONENT,
        "server/index.js": EXPRESS,
    }
    result = run(tmp_path, files)
    chat = line_of(EXPRESS, "// CHAT")
    assert found(result) == {
        ("llm-key-in-browser", "src/lib/ai.ts", 1),  # the SDK imported in Vite browser code
        ("llm-key-in-browser", "src/lib/ai.ts", line_of(VITE_CLIENT, "VITE_OPENAI_API_KEY")),
        ("llm-key-in-browser", "src/lib/ai.ts", line_of(VITE_CLIENT, "dangerouslyAllowBrowser")),
        ("llm-output-to-dangerous-sink", "src/components/Chat.jsx", line_of(CHAT_COMPONENT, "dangerouslySetInnerHTML")),
        ("llm-user-input-in-system-prompt", "server/index.js", chat),
        ("llm-call-unhandled", "server/index.js", chat),
    }
    by_rule = {item.rule: item for item in result.findings}
    assert "bundle" in by_rule["llm-key-in-browser"].message
    assert "server route" in by_rule["llm-key-in-browser"].fix


ROUTE = '''
import { openai } from "@ai-sdk/openai";
import { stepCountIs, streamText } from "ai";

export async function POST(req: Request) {
  const { messages, system } = await req.json();
  const result = streamText({ // ROUTE
    model: openai("gpt-4o"),
    system,
    messages,
    stopWhen: stepCountIs(500),
  });
  return result.toUIMessageStreamResponse();
}
'''

ROUTE_FIXED = '''
import { openai } from "@ai-sdk/openai";
import { stepCountIs, streamText } from "ai";

const SYSTEM = "You are the Acme helper.";

export async function POST(req: Request) {
  const { messages } = await req.json();
  const result = streamText({
    model: openai("gpt-4o"),
    system: SYSTEM,
    messages,
    maxOutputTokens: 800,
    abortSignal: AbortSignal.timeout(30_000),
    stopWhen: stepCountIs(5),
    onError: ({ error }) => console.error(error),
  });
  return result.toUIMessageStreamResponse();
}
'''


def test_nextjs_route_handler_with_the_ai_sdk(tmp_path: Path) -> None:
    result = run(tmp_path, {"app/api/chat/route.ts": ROUTE, "app/api/fixed/route.ts": ROUTE_FIXED})
    line = line_of(ROUTE, "// ROUTE")
    assert found(result) == {
        ("llm-no-timeout", "app/api/chat/route.ts", line),
        ("llm-output-uncapped", "app/api/chat/route.ts", line),
        ("llm-user-input-in-system-prompt", "app/api/chat/route.ts", line),
        ("llm-call-unhandled", "app/api/chat/route.ts", line),
        ("llm-unbounded-agent-loop", "app/api/chat/route.ts", line_of(ROUTE, "stepCountIs(500)")),
    }


CLIENT_PAGE = '''
"use client";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText } from "ai";
import type { UIMessage } from "ai";

const openai = createOpenAI({ apiKey: process.env.NEXT_PUBLIC_OPENAI_API_KEY });
'''

CLIENT_OK = '''
"use client";
import { useChat } from "@ai-sdk/react";
import type { UIMessage } from "ai";

export default function Page() {
  const { messages, sendMessage } = useChat();
  return <pre>{JSON.stringify(messages)}</pre>;
}
'''

SERVER_ACTION = '''
"use server";
import { generateText } from "ai";
import { anthropic } from "@ai-sdk/anthropic";

export async function runFormula(formula: string) {
  try {
    const { text } = await generateText({
      model: anthropic("claude-3-5-haiku-latest"),
      maxOutputTokens: 200,
      abortSignal: AbortSignal.timeout(20_000),
      prompt: `Turn this into a JavaScript expression: ${formula}`,
    });
    return eval(text); // EVAL
  } catch {
    return null;
  }
}
'''


def test_client_components_and_server_actions(tmp_path: Path) -> None:
    files = {"app/page.tsx": CLIENT_PAGE, "app/ok/page.tsx": CLIENT_OK, "app/actions.ts": SERVER_ACTION}
    result = run(tmp_path, files)
    assert found(result) == {
        ("llm-key-in-browser", "app/page.tsx", line_of(CLIENT_PAGE, "@ai-sdk/openai")),
        ("llm-key-in-browser", "app/page.tsx", line_of(CLIENT_PAGE, "import { generateText }")),
        ("llm-key-in-browser", "app/page.tsx", line_of(CLIENT_PAGE, "NEXT_PUBLIC_OPENAI_API_KEY")),
        ("llm-output-to-dangerous-sink", "app/actions.ts", line_of(SERVER_ACTION, "// EVAL")),
    }


def test_agent_loop_and_repl_in_node(tmp_path: Path) -> None:
    source = '''
    import Anthropic from "@anthropic-ai/sdk";
    import * as readline from "node:readline/promises";

    const client = new Anthropic({ timeout: 30_000 });

    export async function agent(messages, tools) {
      while (true) {
        const msg = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, messages, tools });
        if (msg.stop_reason !== "tool_use") return msg;
        messages.push(await runTools(msg));
      }
    }

    export async function bounded(messages, tools) {
      for (let step = 0; step < 10; step++) {
        const msg = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, messages, tools });
        if (msg.stop_reason !== "tool_use") return msg;
      }
    }

    export async function repl() {
      const terminal = readline.createInterface({ input: process.stdin, output: process.stdout });
      while (true) {
        const userInput = await terminal.question("You: ");
        const msg = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: userInput }] });
        console.log(msg.content);
      }
    }
    '''
    assert found(run(tmp_path, {"agent.mjs": source})) == {("llm-unbounded-agent-loop", "agent.mjs", line_of(source, "while (true)"))}


def test_raw_fetch_to_a_provider(tmp_path: Path) -> None:
    source = '''
    export async function ask(prompt) {
      const res = await fetch("https://api.openai.com/v1/chat/completions", {
        method: "POST",
        headers: { Authorization: `Bearer ${process.env.OPENAI_API_KEY}` },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: prompt }] }),
      });
      return res.json();
    }

    export async function health() {
      return fetch("https://status.example.com/api", { signal: AbortSignal.timeout(5000) });
    }
    '''
    result = run(tmp_path, {"lib/ask.js": source})
    assert found(result) == {("llm-no-timeout", "lib/ask.js", 2), ("llm-no-retries", "lib/ask.js", 2), ("llm-output-uncapped", "lib/ask.js", 2)}


def test_realtime_page_with_an_ephemeral_token_is_not_a_key_in_the_browser(tmp_path: Path) -> None:
    source = '''
    "use client";
    import { experimental_useRealtime } from "@ai-sdk/react";
    import { openai } from "@ai-sdk/openai";

    export default function Page() {
      const realtime = experimental_useRealtime({
        model: openai.experimental_realtime("gpt-realtime"),
        token: "/api/realtime/setup",
      });
      return null;
    }
    '''
    assert found(run(tmp_path, {"app/realtime/page.tsx": source})) == set()


def test_on_error_on_the_stream_response_handles_the_stream(tmp_path: Path) -> None:
    source = '''
    import { openai } from "@ai-sdk/openai";
    import { streamText } from "ai";

    export async function POST(req: Request) {
      const { messages } = await req.json();
      const result = streamText({ model: openai("gpt-4o"), messages, maxOutputTokens: 500, abortSignal: req.signal });
      return result.toUIMessageStreamResponse({ onError: () => "The assistant is busy, try again." });
    }
    '''
    assert found(run(tmp_path, {"app/api/chat/route.ts": source})) == set()


def test_a_mock_model_calls_no_provider(tmp_path: Path) -> None:
    source = '''
    import { generateText } from "ai";
    import { MockLanguageModelV3 } from "ai/test";

    export async function demo() {
      return generateText({ model: new MockLanguageModelV3({ doGenerate: async () => ({ text: "hi" }) }), prompt: "x" });
    }
    '''
    assert found(run(tmp_path, {"demo.ts": source})) == set()
