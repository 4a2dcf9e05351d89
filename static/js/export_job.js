// The export progress page updates itself until the file is ready (the page also works without
// this script: it then reloads every few seconds).
const box = document.getElementById("job");
if (box) {
  const bar = document.getElementById("job-bar");
  const label = document.getElementById("job-label");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      const data = await response.json();
      bar.style.width = data.percent + "%";
      bar.textContent = data.percent + "%";
      bar.parentElement.setAttribute("aria-valuenow", data.percent);
      label.textContent = data.label;
      if (data.status === "done") {
        const pages = document.getElementById("job-pages");
        if (pages && data.pages) {
          pages.textContent = data.pages;
          pages.classList.remove("d-none");
        }
        document.getElementById("job-download").classList.remove("d-none");
        return;
      }
      if (data.status === "failed") {
        const error = document.getElementById("job-error");
        error.textContent = data.error;
        error.classList.remove("d-none");
        document.getElementById("job-retry").classList.remove("d-none");
        return;
      }
    } catch (e) { /* a dropped connection: try again */ }
    setTimeout(poll, 1500);
  }
  if (box.dataset.status === "waiting" || box.dataset.status === "running") poll();
}
