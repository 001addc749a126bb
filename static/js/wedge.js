// A keyboard-wedge scanner types a code as a burst of fast keys and presses Enter. On a scan
// screen that burst is a scan whatever has focus: the quantity, the cost, a lot, a note, a
// button or nothing. Here it is taken out of the field it was typed into (the field gets back
// the value it had before the burst), the Enter goes nowhere (no form submit, no browser
// validation bubble, no button press) and the code goes to the screen's scan handler. A
// person's Enter in another field ends the edit: the scan field has focus again.
const MEAN_MS = 45;     // scanners type a key every few ms; people take 100 ms and more
const GAP_MS = 100;     // one slower gap (a busy phone, Bluetooth) does not split a burst
const END_MS = 150;     // the Enter comes right after the last key
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
export function wedge(field, onScan) {
  let burst = null; // { target, keys, last, saved }
  const back = () => field.focus({ preventScroll: true });

  document.addEventListener("keydown", (e) => {
    const target = e.target;
    if (target === field || e.isComposing) { burst = null; return; }
    const now = e.timeStamp;
    if (e.key === "Enter") {
      const b = burst;
      burst = null;
      const fast = b && (b.last - b.first) / Math.max(b.keys.length - 1, 1) <= MEAN_MS;
      if (b && b.target === target && b.keys.length >= MIN_KEYS && fast && now - b.last <= END_MS) {
        e.preventDefault();
        e.stopImmediatePropagation();
        restore(target, b.saved);
        back();
        onScan(b.keys.join(""));
      } else if (editable(target)) {
        e.preventDefault(); // no implicit submit, no validation bubble: the edit is done
        setTimeout(() => { if (document.activeElement === target) back(); }, 0);
      }
      return;
    }
    if (["Shift", "CapsLock"].includes(e.key)) return;
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey || e.repeat) { burst = null; return; }
    if (!burst || burst.target !== target || now - burst.last > GAP_MS) {
      burst = { target, keys: [], first: now, last: now, saved: snapshot(target) };
    }
    burst.keys.push(e.key);
    burst.last = now;
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
