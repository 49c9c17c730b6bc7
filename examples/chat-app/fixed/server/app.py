"""A small backend that answers /api/chat through Groq, falling back to OpenRouter.

Keys come from the environment (a .env file that git ignores, or the host's secret store).
Retries, the breaker and the budget are what `aicheck smoke` exercises against this chain.
"""

import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx

CHAIN = [
    ("https://api.groq.com/openai/v1/chat/completions", "llama-3.3-70b-versatile", "GROQ_API_KEY"),
    ("https://openrouter.ai/api/v1/chat/completions", "openai/gpt-4o-mini", "OPENROUTER_API_KEY"),
]


def complete(prompt: str) -> dict:
    errors = []
    for url, model, key_env in CHAIN:
        key = os.environ.get(key_env)
        if not key:
            errors.append(f"{key_env} is not set")
            continue
        try:
            response = httpx.post(
                url,
                headers={"Authorization": f"Bearer {key}"},
                json={"model": model, "max_tokens": 500, "messages": [{"role": "user", "content": prompt}]},
                timeout=10,
            )
            response.raise_for_status()
            return {"answer": response.json()["choices"][0]["message"]["content"], "model": model}
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            errors.append(f"{model}: {type(exc).__name__}")
    return {"error": "all providers failed", "details": errors}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        if self.path != "/api/chat":
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        payload = json.dumps(complete(str(body.get("prompt", ""))[:4000])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
