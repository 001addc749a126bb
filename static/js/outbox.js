// The outbox: every line the phone posts goes through here. Lines are kept in IndexedDB in
// order, each with its client_op_id, and sent one at a time; when the network is down they
// wait and go out, in order, when it is back. The server answers a replayed client_op_id
// with the first posting, so a line that was sent but whose answer was lost posts only once.

const DB_NAME = "warehouse-outbox";
const STORE = "lines";
const RETRY_MS = 4000;

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () =>
      request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(db, mode, work) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
  });
}

export class Outbox {
  constructor({ csrf, onSent, onRejected, onCount, onNetwork }) {
    Object.assign(this, { csrf, onSent, onRejected, onCount, onNetwork });
    this.dbPromise = openDb();
    this.flushing = null;
    window.addEventListener("online", () => this.flush());
    setInterval(() => this.flush(), RETRY_MS);
  }

  async add(url, body) {
    const db = await this.dbPromise;
    const seq = await run(db, "readwrite", (store) => store.add({ url, body }));
    await this.count();
    this.flush();
    return seq;
  }

  async remove(seq) {
    const db = await this.dbPromise;
    await run(db, "readwrite", (store) => store.delete(seq));
    await this.count();
  }

  async all() {
    const db = await this.dbPromise;
    return run(db, "readonly", (store) => store.getAll());
  }

  async count() {
    const db = await this.dbPromise;
    const n = await run(db, "readonly", (store) => store.count());
    this.onCount(n);
    return n;
  }

  flush() {
    // One flush at a time, so lines leave in the order they were scanned.
    if (!this.flushing) {
      this.flushing = this.drain().finally(() => { this.flushing = null; });
    }
    return this.flushing;
  }

  async drain() {
    // Re-read the queue after every line: scans added meanwhile go out in the same run.
    for (;;) {
      const [entry] = await this.all();
      if (!entry) return;
      let response;
      this.sending = entry.seq; // on its way: removing it now would not stop it (Session.undo)
      try {
        response = await fetch(entry.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json",
                     "X-CSRFToken": this.csrf },
          body: JSON.stringify(entry.body),
        });
      } catch (err) {
        this.sending = null;
        this.onNetwork(false);
        return; // offline: keep this and every later line, in order
      }
      if (response.status >= 500 || response.status === 429 || response.status === 401) {
        this.sending = null;
        this.onNetwork(response.status === 401 ? "login" : false);
        return; // the server could not take it now: try again later
      }
      this.onNetwork(true);
      const answer = await response.json().catch(() => ({}));
      await this.remove(entry.seq);
      this.sending = null; // answered: the screens know its fate below
      if (response.ok) this.onSent(entry, answer);
      else this.onRejected(entry, answer.error || { message: `Refused (${response.status}).` });
    }
  }
}
