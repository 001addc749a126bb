// A keyboard-wedge scanner types a code fast, then Enter. On a scan screen that is a scan
// whatever has focus (qty, cost, lot, note, a button): the field gets its value back, the
// Enter submits nothing (no validation bubble) and the code goes to onScan. A person's Enter
// in another field ends the edit; the scan field has focus again after both.
const MEAN_MS = 45;   // scanner keys come ms apart; a person's 100 ms and more
const IDLE_MS = 400;  // a pause this long ends what was typed (a busy phone's hiccup does not)
const MIN_KEYS = 3;

function snapshot(el) {
  if (el instanceof HTMLSelectElement) return { index: el.selectedIndex };
  if (["checkbox", "radio"].includes(el.type)) return { checked: el.checked };
  return "value" in el ? { value: el.value } : {};
}

function restore(el, saved) {
  if ("index" in saved) el.selectedIndex = saved.index;
  else if ("checked" in saved) el.checked = saved.checked;
  else if ("value" in saved) el.value = saved.value;
}

const editable = (el) => el instanceof HTMLInputElement && !["button", "submit", "checkbox", "radio", "file"].includes(el.type);

// The scan: the longest run of scanner-speed keys at the end (a person's keys before it stay).
function scanStart(keys) {
  const n = keys.length;
  for (let i = 0; i <= n - MIN_KEYS; i += 1) {
    if ((keys[n - 1].t - keys[i].t) / (n - 1 - i) <= MEAN_MS) return i;
  }
  return -1;
}

export function wedge(field, onScan) {
  let typed = null; // { target, keys: [{ key, t, saved }] }
  const back = () => field.focus({ preventScroll: true });
  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (target === field || e.isComposing) { typed = null; return; }
    const now = e.timeStamp;
    const fresh = typed && typed.target === target && now - typed.keys[typed.keys.length - 1].t <= IDLE_MS;
    if (e.key === "Enter") {
      const keys = fresh ? typed.keys : [];
      typed = null;
      const from = scanStart(keys);
      if (from >= 0) {
        e.preventDefault();
        e.stopImmediatePropagation();
        restore(target, keys[from].saved);
        back();
        onScan(keys.slice(from).map((k) => k.key).join(""));
      } else if (editable(target)) {
        e.preventDefault();
        setTimeout(() => { if (document.activeElement === target) back(); }, 0);
      }
      return;
    }
    if (["Shift", "CapsLock"].includes(e.key)) return;
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey || e.repeat) { typed = null; return; }
    if (!fresh) typed = { target, keys: [] };
    typed.keys.push({ key: e.key, t: now, saved: snapshot(target) });
  }, true);
  // Leaving an edited field for nothing in particular: the scan field takes the focus.
  document.addEventListener("change", (e) => {
    if (e.target === field || e.target instanceof HTMLTextAreaElement) return;
    setTimeout(() => { if (!document.activeElement || document.activeElement === document.body) back(); }, 0);
  }, true);
}
