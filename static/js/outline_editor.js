// The outline editor's "Insert a field": a field's button puts it at the cursor of the box last used.
// Without this script the fields are plain text to copy; the buttons stay hidden.
const boxes = "input[type=text], textarea";
let last = null;

document.addEventListener("focusin", (event) => {
  if (event.target.matches?.(boxes)) last = event.target;
});

for (const button of document.querySelectorAll("[data-insert]")) {
  button.hidden = false;
  button.nextElementSibling?.setAttribute("hidden", "");
  // Keep the box's focus and cursor when the button is pressed.
  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => {
    const box = last ?? document.querySelector(`[data-outline-editor] ${boxes.split(",")[0]}`);
    if (!box) return;
    const text = button.dataset.insert;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
  });
}
