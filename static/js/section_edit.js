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
  const BUSY = [502, 503, 504];  // answers that stored nothing and are worth the same request again
  let lastSaved = snapshot();
  let inFlight = false;
  let stopped = false;
  let submitting = false;
  let baseInput = null;  // after putting back browser-kept text: the text the box started from
  let retryAt = 0;  // the server said it was busy: no save before this time (Date.now())

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

  // One save at a time from this page: the one in flight, if any (Lưu waits for it, then sends the
  // version it got back, so the page never races itself into a "someone else saved" conflict).
  let inFlightSave = null;

  function save() {
    const sent = snapshot();
    if (stopped || submitting || inFlight || sent === lastSaved || Date.now() < retryAt) return inFlightSave;
    inFlight = true;
    say(status.dataset.saving);
    inFlightSave = send(sent).finally(() => {
      inFlight = false;
      inFlightSave = null;
    });
    return inFlightSave;
  }

  async function send(sent) {
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
        // Someone else saved a different text: let the server show both versions, with this text kept.
        stopped = true;
        say(data.error || "", "error");
        submitting = true;
        form.requestSubmit(form.querySelector("button[value=stay]"));
      } else if (BUSY.includes(response.status)) {
        // The server is busy (or restarting): nothing was saved, so the same text goes again after the
        // wait it asks for (Retry-After), plus up to a second so that many pages do not come back at once.
        const seconds = Math.min(Math.max(parseInt(response.headers.get("Retry-After"), 10) || 5, 1), 60);
        retryAt = Date.now() + seconds * 1000 + Math.random() * 1000;
        keepLocally();
        say(data.error || status.dataset.offline, "error");
      } else {
        if (response.status === 423) stopped = true;
        lastSaved = sent;  // do not resend the same refused text; a new edit will be tried
        say(data.error || response.statusText, "error");
      }
    } catch (e) {
      say(status.dataset.offline, "error");
    }
  }

  function changed() {
    keepLocally();
  }
  // Words and pages, as Word would count them: what spaces separate, about 380 to an A4 page.
  const wordCount = document.getElementById("word-count");
  function countWords() {
    if (!wordCount) return;
    const text = textarea.value.replace(/<[^>]+>/g, " ").replace(/&nbsp;|&#160;/g, " ");
    const words = text.split(/\s+/).filter(Boolean).length;
    const pages = words ? Math.ceil(words / Number(wordCount.dataset.wordsPerPage || 380)) : 0;
    wordCount.textContent = wordCount.dataset.format
      .replace("{words}", words.toLocaleString("vi-VN"))
      .replace("{pages}", pages.toLocaleString("vi-VN"));
  }
  countWords();
  textarea.addEventListener("input", countWords);
  textarea.addEventListener("input", changed);
  if (doneBox) doneBox.addEventListener("change", changed);
  let held = false;  // a press of Lưu waiting for the autosave on its way
  form.addEventListener("submit", (event) => {
    if (held) {
      event.preventDefault();  // pressed again while waiting: the waiting press is the one sent
      return;
    }
    if (submitting) return;
    submitting = true;  // no autosave starts from now on: the page is being sent
    if (inFlightSave) {
      // An autosave is on its way: send the page once it is back, with the version it returned.
      event.preventDefault();
      held = true;
      const submitter = event.submitter;
      inFlightSave.then(() => {
        held = false;
        if (!stopped) form.requestSubmit(submitter);
      });
    }
  });
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

  // The editor's toolbar names its buttons in English ("bold", "Insert table", "undo"): the site's
  // Vietnamese catalogue (jsi18n) has them. Buttons come and go (the table ones), so newcomers too.
  function translateToolbar(root) {
    if (typeof window.gettext !== "function") return;
    for (const button of root.querySelectorAll("button[title]")) {
      const english = button.dataset.englishTitle || button.title;
      const words = window.gettext(english);
      if (words === english) continue;
      button.dataset.englishTitle = english;
      if (button.title !== words) button.title = words;
      if (button.getAttribute("aria-label") !== words) button.setAttribute("aria-label", words);
    }
  }
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail.textarea !== textarea) return;
    // The editable area is what a screen reader enters: it takes the name of the box's label.
    const label = textarea.id && document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`);
    const editable = event.detail.editor.view.dom;
    if (label) {
      if (!label.id) label.id = textarea.id + "-label";
      editable.setAttribute("aria-labelledby", label.id);
    } else {
      editable.setAttribute("aria-label", document.title);
    }
    const root = editable.parentElement || document;  // the menubar sits beside it
    translateToolbar(root);
    new MutationObserver(() => translateToolbar(root)).observe(root, { childList: true, subtree: true });
  });

  // "Bắt đầu từ gợi ý": the outline's guidance, one paragraph per point, as a first draft to write over.
  const skeleton = document.querySelector("[data-skeleton]");
  if (skeleton) {
    skeleton.addEventListener("click", () => {
      if (!editorInstance) return;
      const empty = !textarea.value.replace(/<[^>]+>/g, "").trim();
      if (!empty && !window.confirm(skeleton.dataset.confirmReplace)) return;
      editorInstance.commands.setContent(skeleton.dataset.skeleton);
      textarea.value = editorInstance.getHTML();
      countWords();
      changed();
      editorInstance.commands.focus("start");
    });
  }

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

// Pasting from Word: its lists arrive as paragraphs with the bullet typed in ("·   Đoàn viên") and
// paragraphs typed with "-", "+", "•" are lists to whoever wrote them. Both become real list items
// (a "+" under the "-" before it), as the "Nhập từ tệp Word" import does; anything else pastes as usual.
const PASTED_BULLET = /^[\s\u00a0]*([·•\-+–\uf0b7\uf0a7▪●◦o§])[\s\u00a0]+/;
const PASTED_NUMBER = /^[\s\u00a0]*(\d{1,3}|[a-zA-Z])[.)][\s\u00a0]+/;

function listItemsFromParagraphs(doc) {
  const body = doc.body;
  let changed = false;
  const items = [];
  for (const p of Array.from(body.querySelectorAll("p"))) {
    const style = (p.getAttribute("style") || "").toLowerCase();
    const wordList = style.includes("mso-list") && !style.includes("mso-list:none");
    let marker = "";
    if (wordList) {
      // Word writes the bullet or number in a span it marks "mso-list:Ignore".
      for (const ignored of p.querySelectorAll("[style*='mso-list:Ignore' i]")) {
        marker = marker || ignored.textContent.trim();
        ignored.remove();
      }
    }
    const text = p.textContent;
    const typed = PASTED_BULLET.exec(text);
    if (!wordList && !typed) continue;
    if (typed && !marker) {
      marker = typed[1];
      stripLead(p, PASTED_BULLET);
    } else if (!marker && PASTED_NUMBER.test(text)) {
      marker = "1.";
      stripLead(p, PASTED_NUMBER);
    }
    const level = Number((/level(\d)/.exec(style) || [0, 1])[1]) - 1;
    const ordered = /^(\d+|[a-zA-Z]|[ivxIVX]+)[.)]$/.test(marker);
    items.push({ p, ordered, level: marker === "+" ? 1 : level });
    changed = true;
  }
  if (!changed) return false;
  // Consecutive items (siblings, one after the other) become one list, deeper levels nested.
  let stack = [];
  let previous = null;
  for (const item of items) {
    const li = doc.createElement("li");
    while (item.p.firstChild) li.appendChild(item.p.firstChild);
    if (!previous || previous.nextElementSibling !== item.p) stack = [];
    const depth = Math.min(item.level, stack.length);
    stack = stack.slice(0, depth + 1);
    const tag = item.ordered ? "ol" : "ul";
    if (stack.length === depth + 1 && stack[depth].tagName.toLowerCase() !== tag) stack = stack.slice(0, depth);
    if (stack.length < depth + 1) {
      const list = doc.createElement(tag);
      if (depth === 0) item.p.before(list);
      else (stack[depth - 1].lastElementChild || stack[depth - 1]).appendChild(list);
      stack.push(list);
    }
    stack[depth].appendChild(li);
    const marker = doc.createElement("span");  // keeps "the paragraph before" for the next item
    item.p.replaceWith(marker);
    previous = marker;
    marker.dataset.pastedItem = "1";
  }
  for (const marker of body.querySelectorAll("[data-pasted-item]")) marker.remove();
  return true;
}

function stripLead(element, pattern) {
  const walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!node.nodeValue.trim()) continue;
    node.nodeValue = node.nodeValue.replace(pattern, "");
    return;
  }
}

function pastedHtml(clipboard) {
  const html = clipboard.getData("text/html");
  const doc = html
    ? new DOMParser().parseFromString(html, "text/html")
    : new DOMParser().parseFromString(
        clipboard
          .getData("text/plain")
          .split(/\r?\n/)
          .map((line) => "<p>" + line.replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</p>")
          .join(""),
        "text/html",
      );
  return listItemsFromParagraphs(doc) ? doc.body.innerHTML : null;
}

document.addEventListener("prose-editor:ready", (event) => {
  const editor = event.detail.editor;
  // Caught on the way down, before the editor's own paste handler on the editable area below.
  (editor.view.dom.parentElement || editor.view.dom).addEventListener(
    "paste",
    (paste) => {
      if (!paste.clipboardData) return;
      const html = pastedHtml(paste.clipboardData);
      if (html === null) return;  // nothing to turn into a list: the editor pastes as usual
      paste.preventDefault();
      paste.stopPropagation();
      editor.chain().focus().insertContent(html).run();
    },
    true,
  );
});
