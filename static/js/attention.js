// What scanflow.js loads only when needed: the list of lines that need attention (refused,
// kept on the phone until dismissed) and the question before posting an unusual cost.
import { words } from "./feedback.js";

const $ = (id) => document.getElementById(id);

export function needsAttention(key, field, text) {
  let items;
  try { items = JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { items = []; }
  if (text) items.push({ text });
  const draw = () => {
    if (items.length) localStorage.setItem(key, JSON.stringify(items));
    else localStorage.removeItem(key);
    const list = $("attention-lines");
    list.innerHTML = "";
    for (const item of items) {
      const li = document.createElement("li");
      li.className = "line line-error";
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "btn btn-small";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", () => {
        items.splice(items.indexOf(item), 1);
        draw();
        field.focus({ preventScroll: true });
      });
      const what = document.createElement("span");
      words(what, item.text);
      li.append(what, " ", dismiss);
      list.append(li);
    }
    $("attention").hidden = items.length === 0;
  };
  draw();
}

// A cost far from the product's average posts only when the worker says it is right.
export function askCost(entry, error, { show, field, again }) {
  const b = entry.body;
  show("warn", `Check the cost: ${error.message}`);
  $("cost-ask-text").textContent = `${b.qty || b.scans || 1} × ${b.code} at ${b.unit_cost}: ${error.message}`;
  $("cost-ask-ok").textContent = `Yes, post at ${b.unit_cost}`;
  $("cost-ask").hidden = false;
  const close = () => { $("cost-ask").hidden = true; field.focus({ preventScroll: true }); };
  $("cost-ask-ok").onclick = () => {
    close();
    const body = { ...b, confirm_cost: true };
    delete body.client_op_id;
    again(body);
  };
  $("cost-ask-no").onclick = () => {
    close();
    show("idle", "Not posted. Type the right cost, then scan the product again.");
  };
}
