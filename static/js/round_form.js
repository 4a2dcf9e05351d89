// The round form: when the term changes, the data-year boxes become the years of the new term at once
// (years still inside it stay ticked). Without this script the page does the same when it is sent back.
const form = document.querySelector("form[data-round-form]");
const start = form?.querySelector("[data-term=start]");
const end = form?.querySelector("[data-term=end]");
const MAX_YEARS = 10;

function refresh() {
  const first = Number.parseInt(start.value, 10);
  const last = Number.parseInt(end.value, 10);
  if (!(first >= 1900 && last <= 2200 && last > first && last - first <= MAX_YEARS)) return;
  const boxes = [...form.querySelectorAll("input[name=data_years]")];
  if (!boxes.length) return;
  const holder = boxes[0].closest(".form-check").parentElement;
  const template = boxes[0].closest(".form-check");
  const ticked = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
  const made = [];
  for (let year = first, i = 0; year <= last; year += 1, i += 1) {
    const item = template.cloneNode(true);
    const box = item.querySelector("input");
    const label = item.querySelector("label");
    box.id = `id_data_years_${i}`;
    box.value = String(year);
    box.checked = ticked.has(String(year));
    label.htmlFor = box.id;
    label.textContent = String(year);
    made.push(item);
  }
  for (const old of holder.querySelectorAll(".form-check")) old.remove();
  holder.append(...made);
}

if (start && end) {
  start.addEventListener("change", refresh);
  end.addEventListener("change", refresh);
}
