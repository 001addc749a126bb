// A keyboard-wedge scanner types a code as a burst of fast keys and presses Enter. On a scan
// screen that burst is a scan whatever has focus: the quantity, the cost, a lot, a note, a
// button or nothing. Here it is taken out of the field it was typed into (the field gets back
// the value it had before the burst), the Enter goes nowhere (no form submit, no browser
// validation bubble, no button press) and the code goes to the screen's scan handler. A
// person's Enter in another field ends the edit: the scan field has focus again.
const MEAN_MS = 45;   // scanners type a key every few ms; people take 100 ms and more
const IDLE_MS = 400;  // a pause this long ends what was typed; a busy phone's hiccup does not
const MIN_KEYS = 3;

function snapshot(el) {
  if (el instanceof HTMLSelectElement) return { index: el.selectedIndex };
  if (el instanceof HTMLInputElement && ["checkbox", "radio"].includes(el.type)) return { checked: el.checked };
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    let caret = null;
    try { caret = [el.selectionStart, el.selectionEnd]; } catch (e) { caret = null; }
    return { value: el.value, caret };
  }
  return {};
}

function restore(el, saved) {
  if ("index" in saved) el.selectedIndex = saved.index;
  else if ("checked" in saved) el.checked = saved.checked;
  else if ("value" in saved && el.value !== saved.value) {
    el.value = saved.value;
    if (saved.caret && saved.caret[0] !== null) {
      try { el.setSelectionRange(saved.caret[0], saved.caret[1]); } catch (e) { /* number, date */ }
    }
  }
}

const editable = (el) => el instanceof HTMLInputElement && !["button", "submit", "checkbox", "radio", "file"].includes(el.type);

// field: the screen's scan input (its own Enter is the form's submit, left alone);
// onScan(code): what a scan does on this screen.
// The scan in what was typed: the longest run of keys at its end that came at scanner speed
// (a person's keys before it stay in the field). -1 when there is none.
function scanStart(keys) {
  const n = keys.length;
  for (let i = 0; i <= n - MIN_KEYS; i += 1) {
    if ((keys[n - 1].t - keys[i].t) / (n - 1 - i) <= MEAN_MS) return i;
  }
  return -1;
}

// field: the screen's scan input (its own Enter is the form's submit, left alone);
// onScan(code): what a scan does on this screen.
export function wedge(field, onScan) {
  let typed = null; // { target, keys: [{ key, t, saved }] }
  const back = () => field.focus({ preventScroll: true });

  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (target === field || e.isComposing) { typed = null; return; }
    const now = e.timeStamp;
    const last = typed && typed.keys[typed.keys.length - 1];
    const fresh = typed && typed.target === target && now - last.t <= IDLE_MS;
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
        e.preventDefault(); // no implicit submit, no validation bubble: the edit is done
        setTimeout(() => { if (document.activeElement === target) back(); }, 0);
      }
      return;
    }
    if (["Shift", "CapsLock"].includes(e.key)) return;
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey || e.repeat) { typed = null; return; }
    if (!fresh) typed = { target, keys: [] };
    typed.keys.push({ key: e.key, t: now, saved: snapshot(target) });
  }, true);

  // An edit ends on leaving the field: when nothing else took the focus, the scan field does.
  document.addEventListener("change", (e) => {
    if (e.target === field || e.target instanceof HTMLTextAreaElement) return;
    setTimeout(() => {
      const active = document.activeElement;
      if (!active || active === document.body) back();
    }, 0);
  }, true);
}
