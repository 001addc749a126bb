// Stock overview: keep the rows on screen up to date while staff scan (Server-Sent Events).
// The server ends each stream after ~25 s; EventSource reconnects by itself with Last-Event-ID.
const table = document.querySelector("table[data-events]");
const status = document.querySelector("[data-live-status]");
const number = new Intl.NumberFormat();

function setStatus(text, live) {
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("live-on", live);
}

function fillQty(cell, figures) {
  const strong = document.createElement("b");
  strong.textContent = number.format(figures.on_hand);
  if (!figures.on_hand) strong.className = "nil";
  cell.replaceChildren(strong);
  if (figures.available !== figures.on_hand) {
    const free = document.createElement("small");
    free.textContent = `${number.format(figures.available)} free`;
    cell.append(free);
  }
}

function flash(element) {
  element.classList.remove("changed");
  void element.offsetWidth; // restart the highlight animation
  element.classList.add("changed");
}

function updateProduct(product) {
  const row = table.querySelector(`tr[data-product="${product.id}"]`);
  if (!row) return;
  for (const cell of row.querySelectorAll("[data-wh]")) {
    fillQty(cell, product.cells[cell.dataset.wh] || { on_hand: 0, available: 0 });
  }
  const transit = row.querySelector("[data-transit]");
  if (transit) fillQty(transit, { on_hand: product.in_transit || 0, available: product.in_transit || 0 });
  fillQty(row.querySelector("[data-total]"), product);
  flash(row);
}

function updateWarehouse(id, totals) {
  const row = document.querySelector(`[data-wh-total="${id}"]`);
  if (!row) return;
  for (const field of row.querySelectorAll("[data-field]")) {
    const value = totals[field.dataset.field];
    field.textContent = field.dataset.field === "value"
      ? value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
      : number.format(value);
  }
}

if (table && "EventSource" in window) {
  const source = new EventSource(table.dataset.events);
  let quiet = null; // a reconnect every 25 s is normal: only say so when it takes a while
  setStatus("Live", true);
  source.addEventListener("open", () => {
    clearTimeout(quiet);
    setStatus("Live", true);
  });
  source.addEventListener("error", () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => setStatus("Reconnecting…", false), 6000);
  });
  source.addEventListener("stock", (event) => {
    const data = JSON.parse(event.data);
    data.products.forEach(updateProduct);
    for (const [id, totals] of Object.entries(data.warehouses || {})) updateWarehouse(id, totals);
    table.dataset.updated = event.lastEventId;
  });
  source.addEventListener("reload", () => {
    const busy = document.activeElement && document.activeElement.matches("input, select");
    if (!busy) window.location.reload();
  });
}
