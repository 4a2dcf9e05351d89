// A background job's page follows its progress, then shows the result by loading the page again
// (without this script the page reloads itself every few seconds).
const box = document.getElementById("job");
if (box) {
  const bar = document.getElementById("job-bar");
  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      const data = await response.json();
      if (data.status !== box.dataset.status && (data.status === "done" || data.status === "failed")) {
        window.location.reload();
        return;
      }
      bar.style.width = data.percent + "%";
      bar.textContent = data.percent + "%";
      bar.parentElement.setAttribute("aria-valuenow", data.percent);
      const count = document.getElementById("job-count");
      if (count && data.total) {
        const number = (n) => n.toLocaleString("vi-VN");
        count.textContent = count.dataset.template.replace("{done}", number(data.done)).replace("{total}", number(data.total));
      }
    } catch (e) { /* a dropped connection: try again */ }
    setTimeout(poll, 2000);
  }
  setTimeout(poll, 2000);
}
