// Scan boxes: keep the field focused and its text selected, so the next scan (a keyboard-wedge
// scanner types and presses Enter) replaces the last one. A scan typed while something else
// has focus (nothing, a checkbox, a link) is this box's scan too. Without JS the form still
// submits.
import { wedge } from "./wedge.js";

const field = document.querySelector("input[data-scan]");

function ready() {
  field.focus({ preventScroll: true });
  field.select();
}

if (field) {
  if (field.hasAttribute("autofocus")) ready();
  field.form.addEventListener("submit", (event) => {
    field.value = field.value.trim();
    if (!field.value) {
      event.preventDefault();
      ready();
    }
  });
  window.addEventListener("pageshow", () => {
    if (field.hasAttribute("autofocus")) ready();
  });
  wedge(field, (code) => {
    field.value = code;
    field.form.requestSubmit();
  });
}
