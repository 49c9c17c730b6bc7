// Calls the providers straight from the browser. Everything below is a classic mistake.
const GROQ_KEY = import.meta.env.VITE_GROQ_API_KEY; // inlined into the bundle at build time
const OPENROUTER_KEY = process.env.OPENROUTER_API_KEY; // undefined in the browser

async function chat(url: string, key: string | undefined, model: string, prompt: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: prompt }] }),
  });
  if (!response.ok) throw new Error(`${response.status}`);
  const data = await response.json();
  return data.choices[0].message.content as string;
}

export async function ask(prompt: string): Promise<string> {
  try {
    return await chat("https://api.groq.com/openai/v1/chat/completions", GROQ_KEY, "llama-3.3-70b-versatile", prompt);
  } catch {
    return await chat("https://openrouter.ai/api/v1/chat/completions", OPENROUTER_KEY, "openai/gpt-4o-mini", prompt);
  }
}
