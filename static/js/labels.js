// Labels: a Print button on the print page; on the form, skip only for sheets and ZPL only for
// thermal templates, and the last template chosen is remembered on this phone.
const printButton = document.querySelector("[data-label-print]");
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener("click", () => window.print());
}

function fit(select) {
  const option = select.selectedOptions[0];
  const form = select.form;
  const cells = Number(option.dataset.cells || 1);
  const skip = form.querySelector("[data-label-skip]");
  const input = skip.querySelector("input");
  skip.hidden = cells <= 1;
  input.max = String(cells - 1);
  if (cells <= 1) input.value = "0";
  const zpl = form.querySelector("[data-label-zpl]");
  zpl.hidden = option.dataset.thermal !== "1";
}

for (const select of document.querySelectorAll("select[data-label-template]")) {
  const key = `labels.template.${select.id}`;
  const saved = window.localStorage.getItem(key);
  const fromServer = new URLSearchParams(window.location.search).get("template");
  if (saved && !fromServer && [...select.options].some((o) => o.value === saved)) {
    select.value = saved;
  }
  fit(select);
  select.addEventListener("change", () => {
    window.localStorage.setItem(key, select.value);
    fit(select);
  });
}
