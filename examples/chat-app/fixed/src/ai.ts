// The browser only talks to our own backend; keys never leave the server.
export async function ask(prompt: string): Promise<string> {
  const response = await fetch("/api/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ prompt }),
  });
  const data = await response.json();
  return data.answer ?? `Sorry, the assistant is unavailable (${data.error}).`;
}
