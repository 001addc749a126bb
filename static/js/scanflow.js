// One workflow on one screen: receive / return (bin, then products), move (from bin, products,
// to bin) and adjust (bin, product, reason). Scans are handled strictly in order, however fast
// they arrive; every confirmed line goes through the outbox, so a dropped network loses nothing.
import { Camera } from "./camera.js";
import { signal, words } from "./feedback.js";
import { Outbox } from "./outbox.js";
import { wedge } from "./wedge.js";

const root = document.getElementById("flow");
const cfg = root.dataset;
const FLOW = cfg.flow;
const $ = (id) => document.getElementById(id);
const field = $("scan");
const qtyField = $("qty");
const STATE_KEY = `flow-${FLOW}-${cfg.user}`;
const CACHE_KEY = "scan-cache";
const CACHE_MAX = 500;

const state = { bin: null, from: null, pending: new Map(), adjust: null, last: null };
const posted = new Map(); // client_op_id -> { key, units } of a line sent or waiting
let chain = Promise.resolve();
let online = navigator.onLine;

// ---------- small helpers ----------
function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function show(kind, text, target) {
  const box = $("feedback");
  box.className = `feedback feedback-${kind}`;
  words($("prompt"), text);
  // the bin to go to, in big type, when the screen knows it
  $("target").textContent = target || "";
  $("target").hidden = !target;
  if (kind !== "idle") signal(kind === "offline" ? "ok" : kind === "warn" ? "error" : kind);
}

function prompt(text) {
  const box = $("feedback");
  if (box.classList.contains("feedback-idle")) words($("prompt"), text);
  else box.dataset.next = text;
}

function typedQty() {
  const n = Number(qtyField.value);
  qtyField.value = "";
  return Number.isInteger(n) && n > 0 ? n : null;
}

function typedQtyBad() {
  const n = Number(qtyField.value);
  return !(Number.isInteger(n) && n > 0 && n <= 1000000000);
}

function giveBack(qty) {
  // A typed quantity the scan did not use (a bin, a refused scan) waits for the next product.
  if (qty && !qtyField.value) qtyField.value = String(qty);
}

function save() {
  sessionStorage.setItem(STATE_KEY, JSON.stringify({ bin: state.bin, from: state.from }));
}

function markStep(name, value) {
  for (const li of document.querySelectorAll("#steps li")) {
    li.classList.toggle("current", li.dataset.step === name);
  }
  for (const [step, text] of Object.entries(value || {})) {
    const slot = document.querySelector(`[data-value-for="${step}"]`);
    if (slot) slot.textContent = text || "";
  }
}

function refocus() {
  const active = document.activeElement;
  if (active && active !== document.body && active !== field && active.closest("#lot-box, .field, .reasons, .tools")) return;
  field.focus({ preventScroll: true });
}

// ---------- resolving a code (with an offline guess) ----------
function cache() {
  try { return JSON.parse(localStorage.getItem(CACHE_KEY) || "{}"); } catch (e) { return {}; }
}

function remember(code, thing) {
  const all = cache();
  all[code] = { type: thing.type, sku: thing.sku, name: thing.name, location: thing.location,
                physical: thing.physical, pack_size: thing.pack_size, tracking: thing.tracking };
  const keys = Object.keys(all);
  for (const k of keys.slice(0, Math.max(0, keys.length - CACHE_MAX))) delete all[k];
  localStorage.setItem(CACHE_KEY, JSON.stringify(all));
}

async function lookup(code, location, qty) {
  let response;
  try {
    response = await fetch(cfg.resolveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": cfg.csrf },
      body: JSON.stringify({ code, flow: FLOW, location, qty }),
    });
  } catch (err) {
    return offlineGuess(code);
  }
  if (response.status >= 500) return offlineGuess(code);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((answer.error && answer.error.message) || "Unknown code.");
  setOnline(true);
  remember(code, answer);
  return answer;
}

function offlineGuess(code) {
  setOnline(false);
  const known = cache()[code];
  if (known) return { ...known, code, offline: true };
  const expectsBin = (FLOW === "move" ? !state.from : !state.bin);
  return expectsBin
    ? { type: "location", code, location: code.toUpperCase(), physical: true, offline: true }
    : { type: "product", code, sku: code, name: "", pack_size: 1, offline: true };
}

// ---------- posting lines ----------
// Scans of the same product between the same places add up to one line on screen; each scan is
// still its own movement in the ledger, so undo takes back exactly the last scan.
const lines = new Map(); // key -> { li, done, waiting, label }

function drawLine(line) {
  words(line.li, `${line.label}: ${line.done}${line.waiting ? ` (+${line.waiting} waiting)` : ""}`);
  line.li.className = `line ${line.waiting ? "line-queued" : "line-ok"}`;
}

function addLine(key, label, units) {
  const list = $("posted");
  if (list.querySelector(".muted")) list.innerHTML = "";
  let line = lines.get(key);
  if (!line) {
    line = { li: document.createElement("li"), done: 0, waiting: 0, label };
    lines.set(key, line);
  }
  line.waiting += units;
  list.prepend(line.li); // the line being worked on stays on top
  drawLine(line);
}

async function postLine(body, key, label, units) {
  body.client_op_id = uuid();
  posted.set(body.client_op_id, { key, units, label });
  addLine(key, label, units);
  const seq = await outbox.add(cfg.lineUrl, body);
  state.last = { seq, op: body.client_op_id, id: null, text: `${units} × ${label}` };
  $("undo").disabled = false;
  if (!online) show("offline", `Saved on the phone: ${units} × ${label}. It posts when the network is back.`);
}

function settle(op, units) {
  // A waiting scan is answered (units posted, 0 when refused or withdrawn), or a posted one
  // undone (negative units).
  const entry = posted.get(op);
  const line = entry && lines.get(entry.key);
  if (!line) return null;
  if (!entry.settled) line.waiting -= entry.units;
  entry.settled = true;
  line.done += units;
  drawLine(line);
  return line;
}

function onSent(entry, answer) {
  const line = settle(entry.body.client_op_id, answer.qty);
  if (state.last && state.last.op === entry.body.client_op_id) state.last.id = answer.id;
  const total = line ? ` (${line.done} on this line)` : "";
  show("ok", `✓ ${answer.qty} × ${answer.sku} ${answer.name || ""} ${answer.from_location} → ${answer.to_location}${total}`);
  afterFeedback();
}

function onRejected(entry, error) {
  const asked = posted.get(entry.body.client_op_id);
  const line = settle(entry.body.client_op_id, 0);
  if (error.code === "expiry_warning" && asked && window.confirm(error.message.split(" Send confirm_expiry")[0])) {
    // The worker saw the lot's date and receives it anyway: the same line, confirmed.
    const body = { ...entry.body, confirm_expiry: true };
    postLine(body, asked.key, asked.label, asked.units);
    return;
  }
  if (error.code === "over_capacity" && asked && cfg.supervisor) {
    // A supervisor may fill the bin anyway, saying why (the audit trail keeps the reason).
    const reason = window.prompt(`${error.message} Fill it anyway? Reason:`);
    if (reason && reason.trim()) {
      postLine({ ...entry.body, override_capacity: reason.trim() }, asked.key, asked.label,
               asked.units);
      return;
    }
  }
  if (line) line.li.className = "line line-error";
  if (state.last && state.last.op === entry.body.client_op_id) {
    state.last = null;
    $("undo").disabled = true;
  }
  if (error.code === "cost_unusual" && $("cost-ask")) {
    const again = (body) => { chain = chain.then(() => postLine(body, asked.key, asked.label, asked.units)); };
    import("./attention.js").then((m) => m.askCost(entry, error, { show, field, again }));
    return;
  }
  const what = asked ? `${asked.units} × ${asked.label}` : `${entry.body.qty || entry.body.scans || 1} × ${entry.body.code}`;
  import("./attention.js").then((m) => m.needsAttention(ATTENTION_KEY, field, `${what}: not posted. ${error.message}`));
  show("error", `✗ Not posted: ${error.message}`);
}

// A line refused (also on replay after a network drop) stays under "Needs attention", across
// reloads, until dismissed (attention.js, loaded only when there is something to show).
const ATTENTION_KEY = `attention-${FLOW}-${cfg.user}`;

// ---------- after a reload: what this user posted lately, lines still waiting, undo ----------
function keyOf(flow, m) {
  if (flow === "move") return [`${m.sku}|${m.from_location}|${m.to_location}|${m.lot || ""}`, `${m.sku} ${m.from_location} → ${m.to_location}`];
  if (flow === "adjust") {
    const bin = m.reason === "found" ? m.to_location : m.from_location;
    return [`${m.sku}|${bin}|${m.reason}`, `${m.reason}: ${m.sku} ${m.reason === "found" ? "into" : "out of"} ${bin}`];
  }
  return [`${m.sku}|${m.to_location}|${m.lot || ""}`, `${m.sku} ${m.name || ""} → ${m.to_location}${m.lot ? ` lot ${m.lot}` : ""}`];
}

async function restorePosted() {
  let answer;
  try {
    const response = await fetch(cfg.postedUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } });
    if (!response.ok) return;
    answer = await response.json();
  } catch (err) {
    return; // offline: the list starts empty, as before
  }
  const shown = new Set(posted.keys());
  for (const m of [...answer.lines].reverse()) {
    if (m.reversed || shown.has(m.client_op_id)) continue;
    const [key, label] = keyOf(FLOW, m);
    posted.set(m.client_op_id, { key, units: m.qty, label, settled: true });
    addLine(key, label, 0);
    const line = lines.get(key);
    line.done += m.qty;
    drawLine(line);
    if (m.id === answer.undo && !state.last) {
      state.last = { seq: null, op: m.client_op_id, id: m.id, text: `${m.qty} × ${label}` };
      $("undo").disabled = false;
    }
  }
  for (const entry of await outbox.all()) {
    if (entry.url !== cfg.lineUrl || posted.has(entry.body.client_op_id)) continue;
    const b = entry.body;
    const key = `${b.code}|${b.from_location || ""}|${b.to_location || ""}`;
    const label = `${b.code} ${b.from_location ? `${b.from_location} → ` : "→ "}${b.to_location || ""}`;
    const units = b.qty || b.scans || 1;
    posted.set(b.client_op_id, { key, units, label });
    addLine(key, label, units);
  }
}


function afterFeedback() {
  const box = $("feedback");
  if (box.dataset.next) { setTimeout(() => { words($("prompt"), box.dataset.next); delete box.dataset.next; }, 1500); }
}

function setOnline(value) {
  online = value === true;
  const net = $("net");
  net.textContent = value === "login" ? "Log in again" : online ? "Online" : "Offline";
  net.className = `net ${online ? "net-on" : "net-off"}`;
}

const outbox = new Outbox({
  csrf: cfg.csrf, onSent, onRejected, onNetwork: setOnline,
  onCount: (n) => {
    const w = $("waiting");
    w.hidden = n === 0;
    w.textContent = `${n} waiting to post`;
  },
});

// ---------- the flows ----------
function needBin(thing) {
  if (!thing.physical) throw new Error(`${thing.location} is not a bin in the warehouse.`);
}

const flows = {
  receive: { location: setBin, product: intoBin },
  return: { location: setBin, product: intoBin },
  adjust: { location: setBin, product: chooseAdjust },
  move: { location: moveLocation, product: addPending },
};

const isDock = (code) => Boolean(cfg.dockPrefix) && String(code).toUpperCase().startsWith(cfg.dockPrefix.toUpperCase());

function setBin(thing) {
  needBin(thing);
  if (FLOW === "receive" && state.bin && isDock(state.bin) && !isDock(thing.location)
      && thing.location !== state.bin && state.switchTo !== thing.location) {
    state.switchTo = thing.location;
    show("warn", `You are receiving at ${state.bin}. ${thing.location} is a storage bin: scan it again to receive into it, or scan a product to stay at ${state.bin}.`, `${state.bin}?`);
    return;
  }
  state.switchTo = null;
  state.bin = thing.location;
  save();
  markStep("product", { bin: state.bin });
  show("ok", `Bin ${state.bin}. Now scan products.`);
}

async function intoBin(thing) {
  if (!state.bin) throw new Error("Scan the bin first, then the products.");
  state.switchTo = null;
  const body = { flow: FLOW, code: thing.code, to_location: state.bin };
  const qty = thing.typed;
  if (qty) body.qty = qty; else body.scans = 1;
  const cost = $("unit_cost");
  if (cost && cost.value.trim()) {
    // a typed cost is this line's only: checked here, then the field is empty for the next
    const typedCost = cost.value.trim().replace(",", ".");
    if (!/^\d{1,9}(\.\d{1,4})?$/.test(typedCost)) {
      throw new Error(`Unit cost "${cost.value.trim()}" is not a price: type it like 4.20 (at most 4 decimals).`);
    }
    body.unit_cost = typedCost;
    cost.value = "";
  }
  if (thing.lot || thing.serial) body.lot = thing.tracking === "serial" ? thing.serial : thing.lot;
  if (thing.expiry) body.expiry = thing.expiry;
  if (["lot", "serial"].includes(thing.tracking) && !body.lot) {
    const lot = await askLot(thing);
    if (!lot) { show("error", "Line cancelled: a lot or serial is needed."); return; }
    Object.assign(body, lot);
  }
  const units = body.qty || thing.pack_size || 1;
  const sku = thing.sku || thing.code;
  show("idle", `Sending +${units} ${sku}…`);
  await postLine(body, `${sku}|${state.bin}|${body.lot || ""}`,
                 `${sku} ${thing.name || ""} → ${state.bin}${body.lot ? ` lot ${body.lot}` : ""}` +
                 `${body.unit_cost ? ` at ${body.unit_cost}` : ""}`, units);
}

function askLot(thing) {
  return new Promise((resolve) => {
    const box = $("lot-box");
    $("lot-sku").textContent = thing.sku;
    box.hidden = false;
    $("lot").value = "";
    $("lot").focus();
    const done = (value) => { box.hidden = true; field.focus(); resolve(value); };
    $("lot-ok").onclick = () => done($("lot").value.trim()
      ? { lot: $("lot").value.trim(), expiry: $("expiry").value || undefined } : null);
    $("lot").onkeydown = (e) => { if (e.key === "Enter") { e.preventDefault(); $("lot-ok").click(); } };
  });
}

function chooseAdjust(thing) {
  if (!state.bin) throw new Error("Scan the bin first, then the product.");
  state.adjust = { thing, qty: thing.typed || thing.pack_size || 1 };
  markStep("reason", { product: `${state.adjust.qty} × ${thing.sku}` });
  const held = thing.on_hand_here == null ? "" : ` ${state.bin} holds ${thing.on_hand_here} × ${thing.sku}.`;
  show("ok", `${thing.sku}:${held} Pick a reason, say what happened, then ${cfg.canAdjust ? "Post adjustment" : "Report to supervisor"}.`);
  field.focus({ preventScroll: true });
  $("adjust-post").hidden = false;
}

async function postAdjust() {
  const a = state.adjust;
  const reason = (document.querySelector("input[name=reason]:checked") || {}).value;
  const note = $("note").value.trim();
  if (!a) return show("error", "Scan a product first.");
  if (!reason) return show("error", "Pick a reason.");
  if (!note) return show("error", "Say what happened in the note.");
  const body = { flow: "adjust", code: a.thing.code, qty: a.qty, reason, note };
  body[reason === "found" ? "to_location" : "from_location"] = state.bin;
  if (a.thing.lot) body.lot = a.thing.lot;
  if (!cfg.canAdjust) return reportDamage(body, a);
  state.adjust = null;
  $("adjust-post").hidden = true;
  $("note").value = "";
  markStep("product", { product: "" });
  await postLine(body, `${a.thing.sku}|${state.bin}|${reason}`,
                 `${reason}: ${a.thing.sku} ${reason === "found" ? "into" : "out of"} ${state.bin}`, a.qty);
  field.focus();
}

// Staff report damage or loss; the stock changes only when a supervisor approves.
async function reportDamage(body, a) {
  let response;
  try {
    response = await fetch(cfg.reportUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify(body),
    });
  } catch (err) {
    return show("error", "✗ No network: the report was not sent. Try again when online.");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) return show("error", `✗ Not reported: ${(answer.error && answer.error.message) || response.status}`);
  state.adjust = null;
  $("adjust-post").hidden = true;
  $("note").value = "";
  markStep("product", { product: "" });
  addLine(`report|${answer.id}`, `reported ${body.reason}: ${a.thing.sku} in ${state.bin} (waits for a supervisor)`, 0);
  const reported = lines.get(`report|${answer.id}`);
  reported.done = answer.qty;
  drawLine(reported);
  show("ok", `✓ Reported ${answer.qty} × ${answer.sku} ${answer.reason} in ${answer.from_location}. A supervisor approves it before the stock changes.`);
  field.focus({ preventScroll: true });
}

async function moveLocation(thing) {
  needBin(thing);
  if (state.pending.size === 0) {
    state.from = thing.location;
    save();
    markStep("product", { from: state.from, to: "" });
    show("ok", `Taking from ${state.from}. Scan the products.`);
    return;
  }
  if (thing.location === state.from) throw new Error(`That is ${state.from}, the bin you are taking from. Scan where it goes.`);
  const lines = [...state.pending.values()];
  state.pending.clear();
  renderPending();
  markStep("product", { to: thing.location });
  for (const line of lines) {
    const body = { flow: "move", code: line.code, qty: line.qty, from_location: state.from,
                   to_location: thing.location };
    if (line.lot) body.lot = line.lot;
    await postLine(body, `${line.sku}|${state.from}|${thing.location}|${line.lot || ""}`,
                   `${line.sku} ${state.from} → ${thing.location}`, line.qty);
  }
  prompt(`Scan more from ${state.from}, or a new bin.`);
}

function addPending(thing) {
  if (!state.from) throw new Error("Scan the bin you are taking from first.");
  const key = `${thing.sku}|${thing.lot || ""}`;
  const line = state.pending.get(key) || { code: thing.code, sku: thing.sku, qty: 0, lot: thing.lot,
                                           onHand: thing.on_hand_here };
  const add = thing.typed || thing.pack_size || 1;
  if (line.onHand != null && line.qty + add > line.onHand) {
    throw new Error(`Only ${line.onHand} × ${thing.sku} in ${state.from}; you have ${line.qty} in this move.`);
  }
  line.qty += add;
  state.pending.set(key, line);
  renderPending(thing.suggestions);
  const best = thing.suggestions && thing.suggestions[0];
  if (best) show("ok", `+${add} ${thing.sku} (${line.qty} to move). Put it in ${best.location} (${best.why}): scan that bin.`, best.location);
  else show("ok", `+${add} ${thing.sku} (${line.qty} to move). Scan more, or the bin it goes to.`);
}

function renderPending(suggestions) {
  const box = $("pending");
  const list = $("pending-lines");
  list.innerHTML = "";
  let total = 0;
  for (const line of state.pending.values()) {
    const li = document.createElement("li");
    li.className = "line";
    li.textContent = `${line.qty} × ${line.sku}${line.lot ? ` (lot ${line.lot})` : ""}`;
    list.append(li);
    total += line.qty;
  }
  $("pending-total").textContent = total ? `(${total})` : "";
  markStep(state.pending.size ? "to" : "product",
           { product: total ? `${total} unit${total === 1 ? "" : "s"}` : "" });
  if (suggestions) {
    $("suggest").textContent = suggestions.length
      ? `Put it in: ${suggestions.map((s) => `${s.location} (${s.why})`).join(", ")}` : "";
  }
  box.hidden = state.pending.size === 0;
}

async function handle(code, typed) {
  // typed: the quantity in #qty when this code was scanned (scans queue up behind each other,
  // so the field may hold the next scan's quantity by the time this one is handled).
  try {
    const here = FLOW === "move" ? state.from : state.bin;
    // a put-away suggestion must hold the whole move: what is pending plus this scan
    const moving = [...state.pending.values()].reduce((n, l) => n + l.qty, 0) + (typed || 1);
    const thing = await lookup(code, here || undefined, FLOW === "move" && here ? moving : undefined);
    const handlers = flows[FLOW];
    if (thing.type === "location") { giveBack(typed); await handlers.location(thing); }
    else if (thing.type === "product") await handlers.product({ ...thing, code, typed });
    else throw new Error(`${code} is a ${thing.type.replace("_", " ")}; this screen takes bins and products.`);
  } catch (err) {
    giveBack(typed);
    show("error", `✗ ${err.message}`);
  }
}

// ---------- wiring ----------
function scan(code) {
  code = code.trim();
  if (!code) return;
  if (!$("lot-box").hidden) { // the screen asks for a lot: a scan is the answer
    $("lot").value = code;
    $("lot-ok").click();
    return;
  }
  if (qtyField.validity.badInput || (qtyField.value.trim() && typedQtyBad())) {
    show("error", `✗ Quantity "${qtyField.value || "?"}" is not a whole number of 1 or more: fix it, then scan again.`);
    return;
  }
  const typed = typedQty();
  chain = chain.then(() => handle(code, typed));
}

$("scan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = field.value;
  field.value = "";
  scan(code);
  field.focus();
});

$("undo").addEventListener("click", async () => {
  const last = state.last;
  if (!last) return;
  $("undo").disabled = true;
  state.last = null;
  const queued = (await outbox.all()).find((e) => e.seq === last.seq);
  if (queued) {
    await outbox.remove(last.seq);
    settle(last.op, 0);
    return show("ok", `Removed the waiting line: ${last.text}.`);
  }
  try {
    const response = await fetch(cfg.undoUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify({ movement: last.id, client_op_id: uuid() }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || "Could not undo.");
    settle(last.op, -answer.qty);
    show("ok", `↶ Undone: ${last.text}.`);
  } catch (err) {
    state.last = last;
    $("undo").disabled = false;
    show("error", `✗ ${err.message.includes("fetch") ? "No network: try undo again when online." : err.message}`);
  }
});

$("restart").addEventListener("click", () => {
  Object.assign(state, { bin: null, from: null, adjust: null });
  state.pending.clear();
  renderPending();
  sessionStorage.removeItem(STATE_KEY);
  markStep(root.dataset.steps.split(",")[0], { bin: "", from: "", to: "", product: "" });
  show("idle", "Start again: scan a bin.");
  field.focus();
});

for (const dock of document.querySelectorAll(".dock")) {
  dock.addEventListener("click", () => { scan(dock.dataset.code); field.focus(); });
}

$("pending-clear").addEventListener("click", () => { state.pending.clear(); renderPending(); field.focus(); });

$("keyboard-btn").addEventListener("click", () => {
  const on = field.getAttribute("inputmode") === "none";
  field.setAttribute("inputmode", on ? "text" : "none");
  $("keyboard-btn").setAttribute("aria-pressed", String(on));
  field.blur();
  field.focus();
});

const camera = new Camera({
  video: $("camera-video"), decodeUrl: cfg.decodeUrl, csrf: cfg.csrf,
  onCode: (code) => { signal("scan"); scan(code); },
  onError: () => {},
});
$("camera-btn").addEventListener("click", async () => {
  if (camera.isOpen) return;
  try {
    $("camera").hidden = false;
    $("feedback").scrollIntoView({ block: "start", behavior: "smooth" });
    await camera.open();
  } catch (err) {
    $("camera").hidden = true;
    show("error", `✗ Camera: ${err.message}`);
  }
});
$("camera-stop").addEventListener("click", () => { camera.close(); $("camera").hidden = true; field.focus(); });

function start() {
  for (const el of document.querySelectorAll("[data-js-only]")) el.hidden = false;
  for (const el of document.querySelectorAll("[data-nojs]")) el.remove();
  for (const el of document.querySelectorAll("#scan-form [required]")) el.required = el === field;
  field.setAttribute("inputmode", "none"); // a handheld's own scanner types; no soft keyboard
  if (FLOW === "adjust") {
    const post = document.createElement("button");
    post.type = "button"; post.id = "adjust-post"; post.className = "btn btn-primary btn-block";
    post.textContent = cfg.canAdjust ? "Post adjustment" : "Report to supervisor"; post.hidden = true;
    post.addEventListener("click", () => { chain = chain.then(postAdjust); });
    $("note").after(post);
  }
  const saved = JSON.parse(sessionStorage.getItem(STATE_KEY) || "{}");
  const first = root.dataset.steps.split(",")[0];
  if (saved.bin || saved.from) {
    Object.assign(state, saved);
    markStep("product", { bin: saved.bin, from: saved.from });
    show("idle", `Still at ${saved.bin || saved.from}. Scan products, or another bin.`);
  } else {
    markStep(first, {});
  }
  wedge(field, scan);
  document.addEventListener("click", (e) => { if (!e.target.closest("input, textarea, select, label, #lot-box")) setTimeout(refocus, 0); });
  if (localStorage.getItem(ATTENTION_KEY)) import("./attention.js").then((m) => m.needsAttention(ATTENTION_KEY, field));
  restorePosted().finally(() => { outbox.count(); outbox.flush(); });
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(cfg.swUrl, { scope: "/" }).catch(() => {});
  }
  field.focus();
}

start();
