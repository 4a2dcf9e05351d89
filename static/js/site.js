// Site-wide progressive enhancement: forms that ask before doing something that locks a report.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// A form sent back with errors: the summary stays at the top and its first error takes the focus (a
// screen reader reads it; Enter goes to the field); each of its links puts the cursor in the field it names.
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  (errorSummary.querySelector("a[data-focus]") || errorSummary).focus();
  for (const link of errorSummary.querySelectorAll("a[data-focus]")) {
    link.addEventListener("click", (event) => {
      const field = document.getElementById(link.dataset.focus);
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }
}
