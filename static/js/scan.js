// Scan boxes: keep the field focused and its text selected, so the next scan (a keyboard-wedge
// scanner types and presses Enter) replaces the last one. Without JS the form still submits.
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
}
