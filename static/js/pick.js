// The pick walk on a phone: the list comes from the server in walking order; for each task the
// picker scans the bin, then the product (each scan one unit, or a typed quantity). A wrong bin
// or product is refused at once and nothing is sent. Each pick goes through the outbox with its
// client_op_id; "Bin short" records the shortage, flags the bin and reloads the list, which
// then offers the next bin that holds the product.
import { $, ScanScreen } from "./docscan.js";
import { words } from "./feedback.js";
import { Session } from "./session.js";

const root = $("pick");
const cfg = root.dataset;
const state = { tasks: [], orders: [], missing: [], atBin: null, reload: false, afterShort: null,
                keepError: false, pickedBefore: 0, ordered: 0 };
const mine = (entry) => entry.url === cfg.lineUrl || entry.url === cfg.shortUrl;

const screen = new ScanScreen(root, {
  handle,
  // The outbox counts the queue before it reports a line, so a reload asked for here waits
  // for the count it asks for now: the list reloads once nothing is left to send.
  onSent: (entry, answer) => {
    if (!mine(entry)) return;
    if (entry.url === cfg.lineUrl) session.sent(entry, answer, picked(answer));
    if (!(entry.url === cfg.shortUrl || answer.replayed)) return;
    state.reload = true;
    screen.outbox.count();
  },
  onRejected: (entry, error) => {
    if (!mine(entry)) return;
    session.rejected(entry, error);
    state.reload = true;
    state.keepError = true; // the reload must not wipe the red banner
    screen.show("error", `✗ Not posted: ${error.message}`);
    screen.outbox.count();
  },
  onCount: (n) => {
    if (n === 0 && state.reload) { state.reload = false; load(); }
  },
});

// "Posted this session" (read back from the server after a reload), undo, "Needs attention".
const picked = (m) => `${m.qty} × ${m.sku} ${m.name || ""} from ${m.from_location}`;
const session = new Session(screen, {
  key: `attention-pick-${cfg.user}`,
  urls: [cfg.lineUrl],
  label: picked,
  labelBody: (b) => b.code ? `${b.qty} × ${b.code} from ${b.location} (${b.order})`
    : `${b.location} short of ${b.qty} (${b.order})`,
  undoBody: (last) => ({ movement: last.id }),
  onUndone: (answer, last) => { state.atBin = null; state.undone = last.text; load(); },
});

const current = () => state.tasks.find((t) => t.left > 0);
const toteOf = (task) => (state.orders.length > 1 ? `tote ${task.tote}` : "the tote");

async function load() {
  try {
    const data = await screen.getJson(cfg.listUrl);
    state.tasks = data.tasks.map((t) => ({ ...t, left: t.qty }));
    state.orders = data.orders;
    state.missing = data.missing;
    state.pickedBefore = data.picked;
    state.ordered = data.ordered || 0;
  } catch (err) {
    screen.show("error", `✗ Could not load the pick list: ${err.message}`);
    return;
  }
  const task = current();
  if (!task || task.location !== state.atBin) state.atBin = null;
  render();
  if (state.afterShort) {
    const { location, sku } = state.afterShort;
    state.afterShort = null;
    const bins = [...new Set(state.tasks.filter((t) => t.sku === sku).map((t) => t.location))];
    const next = current();
    screen.show("warn", `Shortage recorded; ${location} is flagged for a count. ` +
      (bins.length ? `${sku} comes from ${bins.join(", ")} instead.` : `No other bin has ${sku}: it ships short.`) +
      (next ? ` Next: bin ${next.location}.` : ` ${ending()}`));
  } else if (state.keepError) {
    state.keepError = false;
  } else if (state.undone) { // the list came back after an undo: say so, then what is next
    screen.show("ok", `↶ Undone: ${state.undone}. ${prompt()}`);
    state.undone = null;
  } else {
    screen.show(!current() && tally().short ? "warn" : "idle", prompt());
  }
}

// What was picked of what was ordered: an order of 7 with 1 short ends "6 of 7 picked, 1 short".
function tally() {
  const done = state.pickedBefore + state.tasks.reduce((n, t) => n + t.qty - t.left, 0);
  const ordered = Math.max(state.ordered, done);
  const open = state.tasks.reduce((n, t) => n + t.left, 0);
  return { done, ordered, short: ordered - done - open };
}

function ending() {
  const { done, ordered, short } = tally();
  return short ? `${done} of ${ordered} picked, ${short} short.` : `All ${done} of ${ordered} picked.`;
}

function prompt() {
  const task = current();
  if (!task) return state.tasks.length || state.pickedBefore ? `${ending()} Pack and ship from the order page.` : "Nothing to pick here.";
  if (state.atBin === task.location) return `Scan ${task.sku} ${task.name} (${task.left} to take).`;
  return `Go to bin ${task.location} and scan its label.`;
}

function render() {
  const task = current();
  $("task").hidden = !task;
  if (task) {
    $("task-bin").textContent = task.location;
    $("task-qty").textContent = String(task.left);
    $("task-sku").textContent = task.sku;
    $("task-name").textContent = task.name;
    $("task-lot").textContent = task.lot ? `lot ${task.lot}${task.expiry ? `, best before ${task.expiry}` : ""}` : "";
    $("task-tote").textContent = toteOf(task);
    $("task-order").textContent = task.order;
  }
  for (const li of document.querySelectorAll("#steps li")) {
    li.classList.toggle("current", li.dataset.step === (state.atBin ? "product" : "bin"));
  }
  document.querySelector('[data-value-for="bin"]').textContent = state.atBin || "";
  const { done, ordered, short } = tally();
  $("progress").textContent = ordered ? `${done} of ${ordered} picked${short ? `, ${short} short` : ""}` : "";
  $("progress").classList.toggle("progress-short", short > 0);
  const list = $("tasks");
  list.innerHTML = "";
  for (const t of state.tasks) {
    const li = document.createElement("li");
    li.className = `line ${t.left === 0 ? "line-ok" : t === task ? "line-current" : ""}`;
    words(li, `${t.left === 0 ? "✓ " : ""}${t.location} · ${t.qty} × ${t.sku} ${t.name}` +
      `${t.lot ? ` · lot ${t.lot}` : ""} → ${t.order}${state.orders.length > 1 ? ` (tote ${t.tote})` : ""}`);
    list.append(li);
  }
  if (!state.tasks.length) list.innerHTML = '<li class="muted">Nothing left to pick.</li>';
  const missing = $("missing");
  missing.innerHTML = "";
  for (const m of state.missing) {
    const li = document.createElement("li");
    li.className = "line line-error";
    li.textContent = `No bin has ${m.qty} × ${m.sku} for ${m.order}: it ships short unless stock is found.`;
    missing.append(li);
  }
  $("short").hidden = !task;
  $("steps").hidden = !task;
  $("done").hidden = Boolean(task) || !(state.tasks.length || state.pickedBefore);
  $("done-title").textContent = short ? `Done: ${done} of ${ordered} picked, ${short} short` : "All picked";
  const orders = $("done-orders");
  orders.innerHTML = "";
  for (const o of state.orders) {
    const li = document.createElement("li");
    li.className = "line";
    const a = document.createElement("a");
    a.href = o.url;
    a.textContent = `${o.reference}${state.orders.length > 1 ? ` (tote ${o.tote})` : ""}: pack and ship`;
    li.append(a);
    orders.append(li);
  }
}

function offlineGuess(code) {
  const task = current();
  const norm = code.toUpperCase();
  if (task && norm === task.location.toUpperCase()) return { type: "location", location: task.location, offline: true };
  if (task && (code === task.sku)) return { type: "product", sku: task.sku, pack_size: 1, offline: true };
  throw new Error("Offline: this code cannot be checked now. Scan the bin label or the SKU.");
}

async function handle(code, typed) {
  await firstList; // a scan made while the page opens waits for the list, not refused
  const task = current();
  if (!task) throw new Error("Nothing left to pick on this list.");
  const thing = await screen.lookup(code, offlineGuess);
  if (thing.type === "location") {
    if (thing.location !== task.location) {
      throw new Error(`Wrong bin: that is ${thing.location}. Go to ${task.location}.`);
    }
    state.atBin = task.location;
    render();
    return screen.show("ok", `Bin ${task.location} ✓ Now scan ${task.sku} ${task.name}.`);
  }
  if (thing.type !== "product") {
    throw new Error(`That is ${thing.type === "order" ? "an order" : `a ${thing.type.replace("_", " ")}`}; scan bins and products here.`);
  }
  if (state.atBin !== task.location) throw new Error(`Scan bin ${task.location} first.`);
  if (thing.sku !== task.sku) {
    throw new Error(`Wrong product: that is ${thing.sku}. Take ${task.sku} ${task.name}.`);
  }
  const units = typed || thing.pack_size || 1;
  if (units > task.left) throw new Error(`Only ${task.left} more ${task.sku} to take here for ${task.order}.`);
  task.left -= units;
  const body = { order: task.order, line: task.line, location: task.location, code, qty: units };
  if (task.lot) body.lot = task.lot;
  await screen.send(cfg.lineUrl, body);
  session.waiting(body, `${units} × ${task.sku} ${task.name} from ${task.location}`);
  const next = current();
  if (!next || next.location !== task.location) state.atBin = null;
  render();
  const more = task.left ? `${task.left} more here.` : next ? `Next: ${next.location === task.location ? `${next.sku} for ${next.order}, same bin` : `bin ${next.location}`}.` : ending();
  const endsShort = !next && tally().short > 0;
  screen.show(!screen.online ? "offline" : endsShort ? "warn" : "ok", `✓ ${units} × ${task.sku} into ${toteOf(task)} (${task.order}). ${more}`);
  if (next) $("task").scrollIntoView({ block: "nearest" });
}

function askShort() {
  const task = current();
  if (!task) return;
  $("short-text").textContent = `${task.location} does not hold ${task.left} more × ${task.sku}? ` +
    "The shortage is recorded, the bin is flagged for a count, and the next bin with stock is offered.";
  $("short-box").hidden = false;
  $("short-ok").focus();
}

$("short").addEventListener("click", askShort);
$("short-cancel").addEventListener("click", () => { $("short-box").hidden = true; screen.field.focus(); });
$("short-ok").addEventListener("click", () => {
  $("short-box").hidden = true;
  const task = current();
  if (!task) return;
  screen.chain = screen.chain.then(async () => {
    const body = { order: task.order, line: task.line, location: task.location, qty: task.left };
    task.left = 0;
    state.atBin = null;
    state.afterShort = { location: task.location, sku: task.sku };
    render();
    screen.show("idle", `Recording the shortage in ${task.location}…`);
    await screen.send(cfg.shortUrl, body);
  });
  screen.field.focus();
});
$("reload").addEventListener("click", () => { state.atBin = null; load(); screen.field.focus(); });

screen.start();
session.restore();
const firstList = load();
