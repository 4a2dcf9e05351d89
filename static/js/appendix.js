// The appendix grid: saves a moment after typing stops and shows what the server computed
// (ratios, % of target, changes, warnings). The plain "Lưu" button works without this script.
const form = document.getElementById("appendix-form");
if (form) {
  const url = form.dataset.autosaveUrl;
  const status = document.getElementById("autosave-status");
  const version = form.querySelector("input[name=version]");
  const DELAY_MS = 1200;
  let timer = null;
  let inFlight = false;
  let again = false;
  let stopped = false;
  let submitting = false;
  let retryIn = 0;  // the server said it was busy: try again after this many milliseconds

  function say(text, kind) {
    status.textContent = text;
    status.className = "small ms-auto " + (kind === "error" ? "text-danger" : "text-body-secondary");
  }

  function show(data) {
    for (const [key, text] of Object.entries(data.values || {})) {
      const out = form.querySelector(`[data-out="${CSS.escape(key)}"]`);
      if (out) out.textContent = text;
    }
    for (const input of form.querySelectorAll("input.is-invalid")) {
      if (!(input.name in (data.errors || {}))) input.classList.remove("is-invalid");
    }
    for (const [name, message] of Object.entries(data.errors || {})) {
      const input = form.querySelector(`input[name="${CSS.escape(name)}"]`);
      const box = form.querySelector(`[data-error="${CSS.escape(name)}"]`);
      if (input) input.classList.add("is-invalid");
      if (box) box.textContent = message;
    }
    for (const [id, warnings] of Object.entries(data.warnings || {})) {
      const box = form.querySelector(`[data-warnings="${CSS.escape(id)}"]`);
      if (!box) continue;
      const list = box.querySelector("ul");
      list.replaceChildren(...warnings.map((w) => { const li = document.createElement("li"); li.textContent = w; return li; }));
      box.classList.toggle("d-none", warnings.length === 0);
    }
  }

  let dirty = false;

  async function save() {
    timer = null;
    if (stopped) return;
    if (inFlight) { again = true; return; }
    inFlight = true;
    dirty = false;
    say(status.dataset.saving);
    try {
      const response = await fetch(url, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-Autosave": "1", "Accept": "application/json" },
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        version.value = data.version;
        show(data);
        const refused = Object.keys(data.errors || {}).length;
        say(status.dataset.saved + " " + data.saved_at + (refused ? " — " + status.dataset.refused : ""),
            refused ? "error" : "");
      } else if (response.status === 409) {
        // Let the server show both versions, with these figures kept in the boxes.
        stopped = true;
        say(data.error || "", "error");
        submitting = true;
        form.requestSubmit();
      } else if ([502, 503, 504].includes(response.status)) {
        // The server is busy (or restarting): nothing was saved; the same figures go again after the
        // wait it asks for (Retry-After), plus up to a second so that many pages do not come back at once.
        const seconds = Math.min(Math.max(parseInt(response.headers.get("Retry-After"), 10) || 5, 1), 60);
        retryIn = seconds * 1000 + Math.random() * 1000;
        dirty = true;
        say(data.error || status.dataset.offline, "error");
      } else {
        if (response.status === 423) stopped = true;
        say(data.error || response.statusText, "error");
      }
    } catch (e) {
      say(status.dataset.offline, "error");
      dirty = true;
      again = true;
    } finally {
      inFlight = false;
      if (retryIn && !stopped) {
        clearTimeout(timer);
        timer = setTimeout(save, retryIn);
        retryIn = 0;
        again = false;
      } else if (again && !stopped) { again = false; clearTimeout(timer); timer = setTimeout(save, DELAY_MS); }
    }
  }

  form.addEventListener("input", () => { dirty = true; clearTimeout(timer); timer = setTimeout(save, DELAY_MS); });
  form.addEventListener("submit", () => { submitting = true; clearTimeout(timer); });
  window.addEventListener("pagehide", () => {
    if (dirty && !submitting && !stopped) {
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: true,
        headers: { "X-Autosave": "1", "Accept": "application/json" } }).catch(() => {});
    }
  });
}
