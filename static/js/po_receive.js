// Receiving a delivery against its purchase order on a phone: scan the bin, then each product
// (each scan one unit or a pack, or a typed quantity). Every line goes through the outbox. The
// server answers with what is still expected; more than expected, a product not on the PO or
// an unknown code is refused in red and held for a supervisor.
import { $, ScanScreen } from "./docscan.js";
import { Session } from "./session.js";

const root = $("receive");
const cfg = root.dataset;
const state = { bin: null };
const mine = (entry) => entry.url === cfg.lineUrl;

const screen = new ScanScreen(root, {
  handle,
  onSent: (entry, answer) => {
    if (!mine(entry)) return;
    showLeft(answer.lines);
    const line = answer.lines.find((l) => l.sku === answer.sku);
    if (answer.id) session.sent(entry, answer, received(answer));
    const left = answer.status === "received" ? `Everything on ${cfg.po} is in.`
      : line ? `${line.remaining} more ${answer.sku} to come.` : "";
    if (answer.held) {
      // The expected part is in; the excess waits for a supervisor.
      session.row(`${entry.body.client_op_id}-held`, `the rest of ${answer.sku}: held for a supervisor`, "error");
      session.attention(answer.held);
      return screen.show("error", `✓ ${answer.held}`);
    }
    screen.show("ok", `✓ Received ${answer.qty} × ${answer.sku} ${answer.name} into ${answer.to_location}. ${left}`);
  },
  onRejected: (entry, error) => {
    if (!mine(entry)) return;
    if (error.code === "expiry_warning" && window.confirm(error.message.split(" Send confirm_expiry")[0])) {
      // The receiver saw the lot's date and receives it anyway: the same line, confirmed.
      const body = { ...entry.body, confirm_expiry: true };
      delete body.client_op_id;
      session.drop(entry.body.client_op_id);
      screen.send(cfg.lineUrl, body).then(() => session.waiting(body));
      return screen.show("idle", `Sending ${body.qty || 1} × ${body.code} (date confirmed)…`);
    }
    if (error.field === "lot" || error.field === "expiry") {
      // A tracked product needs its lot: open the lot fields, ready for it.
      document.querySelector(".lot-fields").open = true;
      $(error.field).focus();
    }
    session.rejected(entry, error);
    screen.show("error", `✗ ${error.message}`);
  },
});

function showLeft(lines) {
  for (const line of lines) {
    let li = document.querySelector(`#expected li[data-sku="${CSS.escape(line.sku)}"]`);
    if (!li) {
      li = document.createElement("li");
      li.dataset.sku = line.sku;
      $("expected").append(li);
    }
    li.className = `line${line.remaining ? "" : " line-ok"}`;
    li.innerHTML = "";
    const sku = document.createElement("span");
    sku.className = "code";
    sku.textContent = line.sku;
    const left = document.createElement("b");
    left.dataset.left = "";
    left.textContent = String(line.remaining);
    li.append(sku, ` ${line.name}: `, left, ` of ${line.qty} to come`);
  }
}

// "Posted this session" (read back from the server after a reload), undo, "Needs attention".
const received = (m) => `${m.qty} × ${m.sku} ${m.name || ""} → ${m.to_location}`;
const session = new Session(screen, {
  key: `attention-po-${cfg.po}-${cfg.user}`,
  urls: [cfg.lineUrl],
  label: received,
  labelBody: (b) => `${b.qty || 1} × ${b.code} → ${b.location}`,
  undoBody: (last) => ({ movement: last.id }),
  onUndone: (answer) => {
    if (!answer) return;
    const left = document.querySelector(`#expected li[data-sku="${CSS.escape(answer.sku)}"] [data-left]`);
    if (left) left.textContent = String(Number(left.textContent) + answer.qty);
    if (left) left.closest("li").classList.remove("line-ok");
  },
});

function markBin(bin) {
  state.bin = bin;
  sessionStorage.setItem(`po-bin-${cfg.po}-${cfg.user}`, bin);
  document.querySelector('[data-value-for="bin"]').textContent = bin;
  for (const li of document.querySelectorAll("#steps li")) {
    li.classList.toggle("current", li.dataset.step === (bin ? "product" : "bin"));
  }
}

function offlineGuess(code) {
  return state.bin ? { type: "product", code, offline: true }
    : { type: "location", location: code.toUpperCase(), physical: true, offline: true };
}

async function handle(code, typed) {
  let thing;
  try {
    thing = await screen.lookup(code, offlineGuess);
  } catch (err) {
    if (err.status !== 404 || !state.bin) throw err;
    thing = { type: "product", code, unknown: true }; // the server holds it for a supervisor
  }
  if (thing.type === "location") {
    if (!thing.physical) throw new Error(`${thing.location} is not a bin in the warehouse.`);
    markBin(thing.location);
    return screen.show("ok", `Bin ${thing.location}. Now scan the products.`);
  }
  if (thing.type === "purchase_order") {
    if (thing.reference !== cfg.po) throw new Error(`That is ${thing.reference}; this page receives ${cfg.po}.`);
    return screen.show("ok", `This is ${cfg.po}. Scan the bin, then the products.`);
  }
  if (thing.type !== "product") throw new Error(`That is a ${thing.type.replace("_", " ")}; scan a bin or a product.`);
  if (!state.bin) throw new Error("Scan the bin first, then the products.");
  const body = { location: state.bin, code };
  if (typed) body.qty = typed;
  const lot = $("lot").value.trim();
  if (lot) body.lot = lot;
  if ($("expiry").value) body.expiry = $("expiry").value;
  await screen.send(cfg.lineUrl, body);
  const units = typed || thing.pack_size || 1;
  session.waiting(body, `${units} × ${thing.sku || code} ${thing.name || ""} → ${state.bin}`);
  screen.show(screen.online ? "idle" : "offline",
              screen.online ? `Sending ${units} × ${thing.sku || code}…`
                : `Saved on the phone: ${units} × ${thing.sku || code}. It posts when the network is back.`);
}

const saved = sessionStorage.getItem(`po-bin-${cfg.po}-${cfg.user}`);
markBin(saved || null);
if (saved) screen.show("idle", `Still at ${saved}. Scan products, or another bin.`);
screen.start();
session.restore();
