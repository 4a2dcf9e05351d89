// Autosave for the section editor: progressive enhancement over the plain form.
// Saves every few seconds and when the page is left; keeps a copy in this browser until the
// server has it, so nothing typed is lost on a weak connection.
// On a phone the guidance starts folded so the writing box is in view; one tap opens it.
const guidance = document.querySelector("details.guidance");
if (guidance && window.matchMedia("(max-width: 575.98px)").matches) guidance.open = false;

const form = document.getElementById("section-form");
if (form) {
  const url = form.dataset.autosaveUrl;
  const storageKey = "draft:" + form.dataset.storageKey;
  const textarea = form.querySelector("textarea[name=content]");
  const doneBox = form.querySelector("input[name=is_done]");
  const versionInput = form.querySelector("input[name=version]");
  const status = document.getElementById("autosave-status");
  const INTERVAL_MS = 4000;
  let lastSaved = snapshot();
  let inFlight = false;
  let stopped = false;
  let submitting = false;
  let baseInput = null;  // after putting back browser-kept text: the text the box started from

  function snapshot() {
    return JSON.stringify([textarea.value, doneBox ? doneBox.checked : false]);
  }
  function say(text, kind) {
    status.textContent = text;
    status.className = "small ms-auto " + (kind === "error" ? "text-danger" : "text-body-secondary");
  }
  function keepLocally() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        base: versionInput.value, html: textarea.value, done: doneBox ? doneBox.checked : false,
      }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }
  function forgetLocally() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }
  function body() {
    const data = new FormData(form);
    data.set("go", "stay");
    return data;
  }

  async function save() {
    const sent = snapshot();
    if (stopped || inFlight || sent === lastSaved) return;
    inFlight = true;
    say(status.dataset.saving);
    try {
      const response = await fetch(url, {
        method: "POST", body: body(), credentials: "same-origin",
        headers: { "X-Autosave": "1", "Accept": "application/json" },
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        versionInput.value = data.version;
        if (baseInput) baseInput.remove();
        baseInput = null;
        lastSaved = sent;
        if (snapshot() === sent) forgetLocally(); else keepLocally();
        say(status.dataset.saved + " " + data.saved_at);
      } else if (response.status === 409) {
        // Someone else saved: let the server show both versions, with this text kept.
        stopped = true;
        say(data.error || "", "error");
        submitting = true;
        form.requestSubmit(form.querySelector("button[value=stay]"));
      } else {
        if (response.status === 423) stopped = true;
        lastSaved = sent;  // do not resend the same refused text; a new edit will be tried
        say(data.error || response.statusText, "error");
      }
    } catch (e) {
      say(status.dataset.offline, "error");
    } finally {
      inFlight = false;
    }
  }

  function changed() {
    keepLocally();
  }
  textarea.addEventListener("input", changed);
  if (doneBox) doneBox.addEventListener("change", changed);
  form.addEventListener("submit", () => { submitting = true; });
  setInterval(save, INTERVAL_MS);

  function flush() {
    if (submitting || stopped || snapshot() === lastSaved) return;
    // keepalive lets the request finish after the page is gone.
    fetch(url, {
      method: "POST", body: body(), credentials: "same-origin", keepalive: true,
      headers: { "X-Autosave": "1", "Accept": "application/json" },
    }).catch(() => {});
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });

  // "Chèn câu": put a ready sentence quoting the figures at the cursor, as plain text.
  let editorInstance = null;
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea === textarea) editorInstance = event.detail.editor;
  });
  for (const button of document.querySelectorAll("[data-insert-sentence]")) {
    button.addEventListener("click", () => {
      if (!editorInstance) return;
      editorInstance.chain().focus().insertContent({ type: "text", text: button.dataset.insertSentence + " " }).run();
    });
  }

  // Put back text that was typed here but never reached the server (same base version only).
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea !== textarea) return;
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.base !== versionInput.value) { forgetLocally(); return; }
    if (saved.html === textarea.value) { forgetLocally(); return; }
    event.detail.editor.commands.setContent(saved.html);
    textarea.value = saved.html;
    // That text may have reached the server as the last page closed: say so, so it is no conflict.
    baseInput = document.createElement("input");
    baseInput.type = "hidden";
    baseInput.name = "base_content";
    baseInput.value = saved.html;
    form.appendChild(baseInput);
    if (doneBox) doneBox.checked = saved.done;
    say(status.dataset.restored);
  });
}
