// What the order screens (pick, receive against a PO) share: one scan field that takes codes
// strictly in order, the big feedback banner, the camera and keyboard buttons, code look-up,
// and the outbox every posted line goes through (so a dropped network loses nothing).
import { Camera } from "./camera.js";
import { signal, words } from "./feedback.js";
import { Outbox } from "./outbox.js";
import { wedge } from "./wedge.js";

export const $ = (id) => document.getElementById(id);

export function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class ScanScreen {
  // handle(code, typedQty) is called for each scan, one at a time; throw an Error to refuse it.
  // answer(code), when given, may take a scan first (a lot the screen is asking for): true if it did.
  constructor(root, { handle, onSent, onRejected, onCount, answer }) {
    this.answer = answer;
    this.cfg = root.dataset;
    this.field = $("scan");
    this.qty = $("qty");
    this.handle = handle;
    this.chain = Promise.resolve();
    this.online = navigator.onLine;
    this.outbox = new Outbox({
      csrf: this.cfg.csrf, onSent, onRejected,
      onNetwork: (value) => this.setOnline(value),
      onCount: (n) => {
        const w = $("waiting");
        w.hidden = n === 0;
        w.textContent = `${n} waiting to post`;
        if (onCount) onCount(n);
      },
    });
    this.wire();
  }

  show(kind, text) {
    $("feedback").className = `feedback feedback-${kind}`;
    words($("prompt"), text);
    if (kind !== "idle") signal(kind === "offline" ? "ok" : kind === "warn" ? "error" : kind);
  }

  setOnline(value) {
    this.online = value === true;
    const net = $("net");
    net.textContent = value === "login" ? "Log in again" : this.online ? "Online" : "Offline";
    net.className = `net ${this.online ? "net-on" : "net-off"}`;
  }

  async send(url, body) {
    body.client_op_id = body.client_op_id || uuid();
    await this.outbox.add(url, body);
    return body.client_op_id;
  }

  async lookup(code, offlineGuess) {
    let response;
    try {
      response = await fetch(this.cfg.resolveUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": this.cfg.csrf },
        body: JSON.stringify({ code }),
      });
    } catch (err) {
      this.setOnline(false);
      return offlineGuess(code);
    }
    if (response.status >= 500) { this.setOnline(false); return offlineGuess(code); }
    const answer = await response.json().catch(() => ({}));
    this.setOnline(true);
    if (!response.ok) {
      const error = new Error((answer.error && answer.error.message) || "Unknown code.");
      error.status = response.status;
      throw error;
    }
    return answer;
  }

  async getJson(url) {
    const response = await fetch(url, { credentials: "same-origin",
                                        headers: { "Accept": "application/json" } });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || `Refused (${response.status}).`);
    return answer;
  }

  scan(code) {
    code = code.trim();
    if (!code) return;
    if (this.answer && this.answer(code)) return;
    const n = Number(this.qty.value);
    if (this.qty.validity.badInput || (this.qty.value.trim() && !(Number.isInteger(n) && n > 0 && n <= 1e9))) {
      this.show("error", `✗ Quantity "${this.qty.value || "?"}" is not a whole number of 1 or more: fix it, then scan again.`);
      return;
    }
    this.qty.value = "";
    const typed = Number.isInteger(n) && n > 0 ? n : null;
    this.chain = this.chain.then(async () => {
      try {
        await this.handle(code, typed);
      } catch (err) {
        if (typed && !this.qty.value) this.qty.value = String(typed); // for the next scan
        this.show("error", `✗ ${err.message}`);
      }
    });
    return this.chain;
  }

  wire() {
    $("scan-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const code = this.field.value;
      this.field.value = "";
      this.scan(code);
      this.field.focus();
    });
    $("keyboard-btn").addEventListener("click", () => {
      const on = this.field.getAttribute("inputmode") === "none";
      this.field.setAttribute("inputmode", on ? "text" : "none");
      $("keyboard-btn").setAttribute("aria-pressed", String(on));
      this.field.blur();
      this.field.focus();
    });
    const camera = new Camera({
      video: $("camera-video"), decodeUrl: this.cfg.decodeUrl, csrf: this.cfg.csrf,
      onCode: (code) => { signal("scan"); this.scan(code); }, onError: () => {},
    });
    $("camera-btn").addEventListener("click", async () => {
      if (camera.isOpen) return;
      try {
        $("camera").hidden = false;
        await camera.open();
      } catch (err) {
        $("camera").hidden = true;
        this.show("error", `✗ Camera: ${err.message}`);
      }
    });
    $("camera-stop").addEventListener("click", () => {
      camera.close();
      $("camera").hidden = true;
      this.field.focus();
    });
    wedge(this.field, (code) => this.scan(code));
    document.addEventListener("click", (e) => {
      if (!e.target.closest("input, textarea, select, label, button, a")) {
        setTimeout(() => this.field.focus({ preventScroll: true }), 0);
      }
    });
  }

  start() {
    for (const el of document.querySelectorAll("[data-js-only]")) el.hidden = false;
    for (const el of document.querySelectorAll("[data-nojs]")) el.remove();
    this.field.setAttribute("inputmode", "none"); // a handheld's scanner types; no soft keyboard
    this.outbox.count();
    this.outbox.flush();
    this.field.focus();
  }
}
