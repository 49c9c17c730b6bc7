import { ask } from "./ai";

const form = document.querySelector<HTMLFormElement>("#ask")!;
const out = document.querySelector<HTMLPreElement>("#answer")!;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const question = new FormData(form).get("q") as string;
  out.textContent = await ask(question);
});
