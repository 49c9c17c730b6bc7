"""A small backend that answers /api/chat through Groq, falling back to OpenRouter."""

import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx

CHAIN = [
    ("https://api.groq.com/openai/v1/chat/completions", "llama-3.3-70b-versatile", "GROQ_API_KEY"),
    ("https://openrouter.ai/api/v1/chat/completions", "openai/gpt-4o-mini", "OPENROUTER_API_KEY"),
]


def complete(prompt: str) -> dict:
    for url, model, key_env in CHAIN:
        try:
            response = httpx.post(
                url,
                headers={"Authorization": f"Bearer {os.environ[key_env]}"},
                json={"model": model, "messages": [{"role": "user", "content": prompt}]},
                timeout=10,
            )
            response.raise_for_status()
            return {"answer": response.json()["choices"][0]["message"]["content"], "provider": url}
        except (httpx.HTTPError, KeyError):
            continue
    return {"error": "all providers failed"}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        payload = json.dumps(complete(body["prompt"])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
