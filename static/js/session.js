// "Posted this session", undo and "Needs attention" on the document screens (pick, a purchase
// order's receipt, a count). The list is read back from the server when the page loads, so a
// reload keeps it and its undo; a line still in the outbox shows "waiting"; a line refused
// when sent (also when replayed after a network drop) stays under "Needs attention", with the
// server's reason, until the worker dismisses it (attention.js keeps it across reloads).
import { $, uuid } from "./docscan.js";
import { words } from "./feedback.js";

export class Session {
  // urls: the outbox addresses whose lines this list shows; label(line): the words for a line
  // the server read back; labelBody(body): for a line still on the phone; undoBody(last): what
  // the undo address takes; onUndone(answer, last): the screen catches up after an undo;
  // undoable(body): whether undo may take back a line still on the phone.
  constructor(screen, { key, urls, label, labelBody, undoBody, onUndone, undoable = () => true }) {
    Object.assign(this, { screen, key, urls, label, labelBody, undoBody, onUndone, undoable });
    this.cfg = screen.cfg;
    this.rows = new Map(); // client_op_id -> { li, text }
    this.last = null; // { op, id, text }: what undo takes back now
    $("undo").addEventListener("click", () => this.undo());
    if (localStorage.getItem(key)) this.attention();
  }

  mine(entry) {
    return this.urls.includes(entry.url);
  }

  row(op, text, kind) {
    const list = $("posted");
    if (list.querySelector(".muted")) list.innerHTML = "";
    let row = this.rows.get(op);
    if (!row) {
      row = { li: document.createElement("li"), text };
      this.rows.set(op, row);
      list.prepend(row.li);
    }
    row.text = text || row.text;
    row.li.className = `line line-${kind}`;
    words(row.li, kind === "queued" ? `${row.text} · waiting`
      : kind === "error" ? `${row.text} · not posted`
        : kind === "undone" ? `↶ undone: ${row.text}` : row.text);
    return row;
  }

  drop(op) {
    const row = this.rows.get(op);
    if (row) row.li.remove();
    this.rows.delete(op);
  }

  setLast(last) {
    this.last = last;
    $("undo").disabled = !last;
  }

  // A line just handed to the outbox (body.client_op_id is set by then).
  // undoable false: a line undo cannot take back (a count's typed total), and nothing before it.
  waiting(body, text, undoable = true) {
    const op = body.client_op_id;
    const row = this.row(op, text || this.labelBody(body), "queued");
    this.setLast(undoable ? { op, id: null, text: row.text } : null);
  }

  sent(entry, answer, text) {
    const op = entry.body.client_op_id;
    const row = this.row(op, text, "ok");
    const id = answer.scan || answer.id;
    if (this.last && this.last.op === op) this.setLast(id ? { op, id, text: row.text } : null);
  }

  rejected(entry, error) {
    const op = entry.body.client_op_id;
    const text = (this.rows.get(op) || {}).text || this.labelBody(entry.body);
    this.row(op, text, "error");
    if (this.last && this.last.op === op) this.setLast(null);
    this.attention(`${text}: not posted. ${error.message}`);
  }

  attention(text) {
    import("./attention.js").then((m) => m.needsAttention(this.key, this.screen.field, text));
  }

  async restore() {
    let answer = null;
    try {
      answer = await this.screen.getJson(this.cfg.postedUrl);
    } catch (err) {
      // offline: the list starts with what still waits on the phone
    }
    if (answer) {
      for (const line of [...answer.lines].reverse()) {
        if (line.reversed || this.rows.has(line.client_op_id)) continue;
        const op = line.client_op_id || `server-${line.id}`;
        const row = this.row(op, this.label(line), "ok");
        if (line.id === answer.undo) this.setLast({ op, id: line.id, text: row.text });
      }
    }
    for (const entry of await this.screen.outbox.all()) {
      if (this.mine(entry) && !this.rows.has(entry.body.client_op_id)) {
        this.waiting(entry.body, null, this.undoable(entry.body));
      }
    }
  }

  async undo() {
    const box = this.screen.outbox;
    if (this.last && !this.last.id && box.sending != null) {
      const going = (await box.all()).find((e) => e.body.client_op_id === this.last.op);
      if (going && going.seq === box.sending) { // already on its way: let it land, then undo it
        $("undo").disabled = true;
        await box.flushing;
      }
    }
    const last = this.last;
    if (!last) return;
    this.setLast(null);
    const queued = (await this.screen.outbox.all()).find((e) => e.body.client_op_id === last.op);
    if (queued) {
      await this.screen.outbox.remove(queued.seq);
      this.row(last.op, last.text, "undone");
      this.onUndone(null, last);
      this.screen.show("ok", `↶ Removed the waiting line: ${last.text}.`);
      return;
    }
    let response;
    try {
      response = await fetch(this.cfg.undoUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": this.cfg.csrf },
        body: JSON.stringify({ ...this.undoBody(last), client_op_id: uuid() }),
      });
    } catch (err) {
      this.setLast(last);
      this.screen.show("error", "✗ No network: try undo again when online.");
      return;
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      this.screen.show("error", `✗ Not undone: ${(answer.error && answer.error.message) || response.status}`);
      return;
    }
    this.row(last.op, last.text, "undone");
    this.screen.show("ok", `↶ Undone: ${last.text}.`);
    this.onUndone(answer, last);
    this.screen.field.focus({ preventScroll: true });
  }
}
