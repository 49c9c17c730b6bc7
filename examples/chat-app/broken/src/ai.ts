// Calls the providers straight from the browser. Everything below is a classic mistake.
const GROQ_KEY = import.meta.env.VITE_GROQ_API_KEY; // inlined into the bundle at build time
const OPENROUTER_KEY = process.env.OPENROUTER_API_KEY; // undefined in the browser

async function groq(prompt: string): Promise<string> {
  // No timeout, no retry, no output cap: a stalled provider hangs the page, a long answer bills in full.
  const response = await fetch("https://api.groq.com/openai/v1/chat/completions", {
    method: "POST",
    headers: { Authorization: `Bearer ${GROQ_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model: "llama-3.3-70b-versatile", messages: [{ role: "user", content: prompt }] }),
  });
  if (!response.ok) throw new Error(`${response.status}`);
  const data = await response.json();
  return data.choices[0].message.content as string;
}

async function openrouter(prompt: string): Promise<string> {
  const response = await fetch("https://openrouter.ai/api/v1/chat/completions", {
    method: "POST",
    headers: { Authorization: `Bearer ${OPENROUTER_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: prompt }] }),
  });
  if (!response.ok) throw new Error(`${response.status}`);
  const data = await response.json();
  return data.choices[0].message.content as string;
}

export async function ask(prompt: string): Promise<string> {
  try {
    return await groq(prompt);
  } catch {
    return await openrouter(prompt);
  }
}
