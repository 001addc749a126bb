// Counting bins on a phone: scan a bin of the count, then its products (each scan +1, or type a
// quantity first), then "Done with this bin" (or "Bin is empty"). Blind: the page never knows
// what the books expect, only what was counted here. Every step goes through the outbox with a
// client_op_id, in order, so a dropped network loses nothing and a replay counts once.
import { $, ScanScreen } from "./docscan.js";
import { words } from "./feedback.js";
import { Session } from "./session.js";

const root = $("count");
const cfg = root.dataset;
const state = { data: JSON.parse(cfg.state), bin: null, lot: null, ask: null, submitted: false,
                queued: 0, reload: false, keepBanner: false, changes: 0, inflight: 0 };
const mine = (entry) => entry.url.startsWith(cfg.doneUrl + "/");

// The count is reloaded from the server only once nothing waits in the outbox and no step is
// on its way: a reload that raced a step would undo what the phone already shows (a bin just
// closed, a product just counted). The outbox counts a step gone before its answer is handled,
// so both the count and the answer look whether the reload may start now.
function reloadWhenSent(keepBanner = false) {
  state.reload = true;
  state.keepBanner = state.keepBanner || keepBanner;
  screen.outbox.count();
}

function reloadIfIdle() {
  if (!state.reload || state.queued > 0 || state.inflight > 0) return;
  state.reload = false;
  load();
}

function answered(then) {
  return (entry, answer) => {
    if (!mine(entry)) return;
    state.inflight = Math.max(state.inflight - 1, 0);
    then(entry, answer);
    reloadIfIdle();
  };
}

const screen = new ScanScreen(root, {
  handle,
  answer: (code) => { // the screen asks for a lot or serial: a scan is the answer
    if (!state.lot) return false;
    $("lot").value = code;
    lotDone();
    return true;
  },
  onSent: answered((entry, answer) => {
    if (entry.url === cfg.submitUrl) return finished(answer);
    if (entry.url === cfg.scanUrl || entry.url === cfg.setUrl) {
      session.sent(entry, answer, counted({ ...answer.line, location: answer.bin, ...entry.body,
                                            absolute: entry.url === cfg.setUrl }));
      return settle(answer);
    }
    return reloadWhenSent();
  }),
  onRejected: answered((entry, error) => {
    session.rejected(entry, error);
    screen.show("error", `✗ Not saved: ${error.message}`);
    reloadWhenSent(true);
  }),
  onCount: (n) => {
    state.queued = n;
    reloadIfIdle();
  },
});

// "Posted this session" (read back from the server after a reload), undo of the last scan,
// "Needs attention" for a step refused when it was sent.
const counted = (s) => s.absolute ? `${s.sku} in ${s.location}: ${s.counted_qty ?? s.qty} in total`
  : `+${s.qty} ${s.sku}${s.lot ? ` lot ${s.lot}` : ""} in ${s.location}`;
const session = new Session(screen, {
  key: `attention-count-${cfg.user}`,
  urls: [cfg.scanUrl, cfg.setUrl],
  label: counted,
  labelBody: (b) => b.counted_qty !== undefined ? counted({ ...b, absolute: true })
    : b.code !== undefined ? `+${b.qty} ${b.code}${b.lot ? ` lot ${b.lot}` : ""} in ${b.location}`
      : `${b.location || "the count"}: ${b.empty ? "empty" : "done"}`,
  undoBody: (last) => ({ scan: last.id }),
  undoable: (b) => b.counted_qty === undefined,
  onUndone: (answer) => {
    if (!answer) state.inflight = Math.max(state.inflight - 1, 0); // taken off the phone unsent
    reloadWhenSent();
  },
});

const bins = () => state.data.bins;
const binOf = (code) => bins().find((b) => b.location === String(code).toUpperCase());
const here = () => (state.bin ? binOf(state.bin) : null);
const units = (b) => b.lines.reduce((n, l) => n + l.counted_qty, 0);
const label = { to_count: "to count", counting: "counting", closed: "✓ counted" };

// Every step the phone makes goes out through here: a reload fetched before it would be stale.
function send(url, body) {
  state.changes += 1;
  state.inflight += 1; // counted at once, before the outbox has stored it
  return screen.send(url, body);
}

async function load() {
  const keepBanner = state.keepBanner;
  const changes = state.changes;
  state.keepBanner = false;
  let data;
  try {
    data = await screen.getJson(cfg.stateUrl);
  } catch (err) {
    if (!keepBanner) screen.show("error", `✗ Could not load the count: ${err.message}`);
    return;
  }
  const stale = state.queued > 0 || state.inflight > 0 || state.changes !== changes;
  if (stale) return reloadWhenSent(keepBanner); // a step went out meanwhile: load again later
  state.data = data;
  if (state.data.status !== "open") return go();
  const b = here();
  if (b && b.status === "closed") state.bin = null;
  render();
}

function go() {
  window.location.assign(cfg.doneUrl);
}

function prompt() {
  const b = here();
  if (b) return `Bin ${b.location}: scan each product, then tap “Done with this bin”.`;
  const left = bins().filter((x) => x.status !== "closed");
  if (!left.length) return "Every bin is counted. Submit the count.";
  return `Go to a bin and scan its label (${left.length} to go, next: ${left[0].location}).`;
}

function lineItem(line, bin) {
  const li = document.createElement("li");
  li.className = "line count-line";
  const text = document.createElement("span");
  text.className = "count-what";
  text.textContent = `${line.sku} ${line.name}${line.lot ? ` · lot ${line.lot}` : ""}`;
  const qty = document.createElement("b");
  qty.className = "count-qty";
  qty.textContent = String(line.counted_qty);
  li.append(text, qty);
  if (bin.status !== "closed") {
    const fix = document.createElement("button");
    fix.type = "button";
    fix.className = "btn btn-small";
    fix.textContent = "Fix";
    fix.setAttribute("aria-label", `Fix the count of ${line.sku}`);
    fix.addEventListener("click", () => askFix(line, bin));
    li.append(fix);
  }
  return li;
}

function renderHere() {
  const b = here();
  $("here").hidden = !b;
  if (!b) return;
  $("here-code").textContent = b.location;
  $("here-only").textContent = b.product ? `only ${b.product}` : b.recount ? "recount" : "";
  $("here-only").hidden = !(b.product || b.recount);
  const list = $("here-lines");
  list.innerHTML = "";
  for (const line of b.lines) list.append(lineItem(line, b));
  $("here-empty").hidden = b.lines.length > 0;
  $("empty-bin").hidden = units(b) > 0;
  $("close-bin").hidden = b.lines.length === 0; // an untouched bin is confirmed empty instead
}

function renderBins() {
  const list = $("bins");
  list.innerHTML = "";
  for (const b of bins()) {
    const li = document.createElement("li");
    li.className = `line count-bin bin-${b.status}${b.location === state.bin ? " line-current" : ""}`;
    const text = document.createElement("span");
    text.className = "count-what";
    text.textContent = `${b.location} · ${label[b.status]}` +
      `${b.lines.length ? ` · ${units(b)} unit${units(b) === 1 ? "" : "s"}` : ""}` +
      `${b.recount ? " · recount" : ""}${b.not_me ? " (by someone else)" : ""}`;
    li.append(text);
    if (b.status === "closed") {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "btn btn-small";
      again.textContent = "Count again";
      again.addEventListener("click", () => askReopen(b));
      li.append(again);
    }
    list.append(li);
  }
}

function render() {
  renderHere();
  renderBins();
  const done = bins().filter((b) => b.status === "closed").length;
  $("progress").textContent = `${done} / ${bins().length} bins`;
  $("finish").hidden = state.submitted;
  $("submit").disabled = done !== bins().length;
  $("finish-text").textContent = done === bins().length
    ? "Every bin is counted. Submitting posts small differences at once; larger ones go to a supervisor."
    : `${bins().length - done} bin${bins().length - done === 1 ? "" : "s"} still to count before you can submit.`;
  const banner = $("feedback");
  if (banner.classList.contains("feedback-idle")) words($("prompt"), prompt());
}

function offlineGuess(code) {
  if (binOf(code)) return { type: "location", location: String(code).toUpperCase(), physical: true, offline: true };
  for (const b of bins()) {
    const line = b.lines.find((l) => l.sku === code);
    if (line) return { type: "product", sku: line.sku, name: line.name, pack_size: 1, tracking: line.lot ? "lot" : "none", offline: true };
  }
  throw new Error("Offline: this code cannot be checked now. Scan the bin label or a SKU counted before.");
}

function enterBin(thing) {
  const b = binOf(thing.location);
  if (!b) throw new Error(`${thing.location} is not a bin of this count.`);
  if (b.not_me) throw new Error(`You counted ${b.location} last time: someone else must recount it.`);
  if (b.status === "closed") throw new Error(`${b.location} is already counted. Tap “Count again” in the list to recount it.`);
  state.bin = b.location;
  render();
  screen.show("ok", `Bin ${b.location} ✓ Scan each product in it${b.product ? ` (only ${b.product})` : ""}.`);
}

function addLocal(b, thing, lot, qty) {
  let line = b.lines.find((l) => l.sku === thing.sku && (l.lot || null) === (lot || null));
  if (!line) {
    line = { sku: thing.sku, name: thing.name || "", lot: lot || null, counted_qty: 0 };
    b.lines.push(line);
  }
  line.counted_qty += qty;
  if (b.status === "to_count") b.status = "counting";
  return line;
}

async function count(thing, code, typed, lot) {
  const b = here();
  const qty = typed || thing.pack_size || 1;
  const line = addLocal(b, thing, lot, qty);
  const body = { location: b.location, code, qty };
  if (lot) body.lot = lot;
  await send(cfg.scanUrl, body);
  session.waiting(body, `+${qty} ${thing.sku}${lot ? ` lot ${lot}` : ""} in ${b.location}`);
  render();
  screen.show(screen.online ? "ok" : "offline",
    `+${qty} ${thing.sku}${lot ? ` lot ${lot}` : ""} → ${line.counted_qty} counted in ${b.location}.`);
}

async function handle(code, typed) {
  if (state.submitted) throw new Error("This count is submitted.");
  cancelLot(); // a new scan replaces a lot question left unanswered
  const thing = await screen.lookup(code, offlineGuess);
  if (thing.type === "location") return enterBin(thing);
  if (thing.type === "count") {
    if (thing.reference === state.data.reference) return screen.show("ok", "This is the count you are in.");
    window.location.assign(cfg.doneUrl.replace(state.data.reference, thing.reference));
    return null;
  }
  if (thing.type !== "product") throw new Error(`That is ${thing.type.replace("_", " ")}; scan bins and products here.`);
  const b = here();
  if (!b) throw new Error("Scan the bin first, then its products.");
  if (b.product && thing.sku !== b.product) throw new Error(`This count is for ${b.product} only; that is ${thing.sku}.`);
  const lot = thing.tracking === "serial" ? thing.serial : thing.lot;
  if (thing.tracking && thing.tracking !== "none" && !lot) return askLot(thing, code, typed);
  return count(thing, code, typed, lot);
}

function cancelLot() {
  state.lot = null;
  $("lot-box").hidden = true;
}

function askLot(thing, code, typed) {
  state.lot = { thing, code, typed };
  const last = [...(here().lines || [])].reverse().find((l) => l.sku === thing.sku && l.lot);
  $("lot-label").textContent = `${thing.sku} is counted per ${thing.tracking === "serial" ? "serial number" : "lot"}: scan or type it`;
  $("lot").value = last && thing.tracking !== "serial" ? last.lot : "";
  $("lot-box").hidden = false;
  $("lot").focus();
  screen.show("idle", `Which ${thing.tracking === "serial" ? "serial number" : "lot"} of ${thing.sku}?`);
}

function lotDone() {
  const pending = state.lot;
  const lot = $("lot").value.trim();
  if (!pending || !lot) return;
  state.lot = null;
  $("lot-box").hidden = true;
  screen.chain = screen.chain.then(() => count(pending.thing, pending.code, pending.typed, lot))
    .catch((err) => screen.show("error", `✗ ${err.message}`));
  screen.field.focus();
}

function ask(text, onYes, yes, fixValue = null) {
  state.ask = onYes;
  $("ask-text").textContent = text;
  $("ask-ok").textContent = yes;
  $("ask-fix").hidden = fixValue === null;
  if (fixValue !== null) $("fix-qty").value = String(fixValue);
  $("ask").hidden = false;
  (fixValue !== null ? $("fix-qty") : $("ask-ok")).focus();
}

function closeAsk() {
  state.ask = null;
  $("ask").hidden = true;
  screen.field.focus();
}

// The questions below look their bin and line up again when answered: the count may have
// been reloaded from the server while the question was on screen.
const lineIn = (b, sku, lot) => b && b.lines.find((l) => l.sku === sku && (l.lot || null) === (lot || null));

function askFix(line, bin) {
  const { sku, lot } = line;
  const code = bin.location;
  ask(`${sku}${lot ? ` lot ${lot}` : ""} in ${code}: how many did you count in total?`, async () => {
    const total = Number($("fix-qty").value);
    if (!Number.isInteger(total) || total < 0) throw new Error("Type a whole number of units (0 or more).");
    const now = lineIn(binOf(code), sku, lot);
    if (now) now.counted_qty = total;
    const body = { location: code, sku, counted_qty: total };
    if (lot) body.lot = lot;
    await send(cfg.setUrl, body);
    session.waiting(body, null, false);
    render();
    screen.show("ok", `${sku} in ${code}: ${total} counted.`);
  }, "Save", line.counted_qty);
}

function askClose(empty) {
  const b = here();
  if (!b) return screen.show("error", "✗ Scan the bin first.");
  cancelLot();
  const code = b.location;
  const text = empty ? `Confirm bin ${code} is empty: nothing at all in it?`
    : `Done with ${code}? Anything you did not scan is taken as not there.`;
  ask(text, async () => {
    binOf(code).status = "closed";
    state.bin = null;
    await send(cfg.closeUrl, { location: code, empty });
    render();
    const next = bins().find((x) => x.status !== "closed");
    screen.show("ok", `${code} counted${empty ? " (empty)" : ""}. ${next ? `Next: ${next.location}.` : "All bins counted: submit the count."}`);
  }, empty ? "Yes, it is empty" : "Yes, done");
}

function askReopen(b) {
  const code = b.location;
  ask(`Count ${code} again? What was counted there stays; fix it or add to it.`, async () => {
    await send(cfg.reopenUrl, { location: code });
    binOf(code).status = "counting";
    state.bin = code;
    render();
    screen.show("ok", `Bin ${code} reopened: scan more, or fix a line.`);
  }, "Count again");
}

function settle(answer) {
  // The server's total wins over the local one (another phone may count the same bin), but
  // only once nothing else waits to be sent: until then it lags what this phone counted.
  if (state.queued > 0 || state.inflight > 0) return;
  const line = lineIn(binOf(answer.bin), answer.line.sku, answer.line.lot);
  if (line) line.counted_qty = answer.line.counted_qty;
  render();
}

function finished(answer) {
  state.submitted = true;
  render();
  screen.show("ok", `✓ Submitted. ${answer.said}`);
  setTimeout(go, 2500);
}

$("ask-ok").addEventListener("click", () => {
  const work = state.ask;
  $("ask").hidden = true;
  state.ask = null;
  if (!work) return;
  screen.chain = screen.chain.then(work).catch((err) => screen.show("error", `✗ ${err.message}`));
  screen.field.focus();
});
$("ask-cancel").addEventListener("click", closeAsk);
$("fix-qty").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("ask-ok").click(); } });
$("lot-ok").addEventListener("click", lotDone);
$("lot").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); lotDone(); } });
$("lot-cancel").addEventListener("click", () => { cancelLot(); screen.field.focus(); });
$("close-bin").addEventListener("click", () => askClose(false));
$("empty-bin").addEventListener("click", () => askClose(true));
$("leave-bin").addEventListener("click", () => { cancelLot(); state.bin = null; render(); screen.show("idle", prompt()); screen.field.focus(); });
$("submit").addEventListener("click", () => {
  ask("Submit the count? Small differences post at once; larger ones wait for a supervisor.", async () => {
    await send(cfg.submitUrl, {});
    screen.show("idle", "Submitting…");
  }, "Submit");
});

screen.start();
session.restore();
render();
if (cfg.start && binOf(cfg.start)) {
  try { enterBin({ location: cfg.start }); } catch (err) { screen.show("error", `✗ ${err.message}`); }
}
