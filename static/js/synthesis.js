// The synthesis panel of a superior union's section page: its units' texts, searched and paged without
// reloading the editor, each paragraph quoted into the draft with its unit's name in one click.
// Without JavaScript the filter form and the page links load the section page itself.

const panel = document.getElementById("unit-texts");
let editorInstance = null;
document.addEventListener("prose-editor:ready", (event) => {
  if (event.detail.textarea.name === "content") editorInstance = event.detail.editor;
});

if (panel) {
  // Beside the editor on a wide screen, the panel starts open; on a phone it waits to be asked for.
  if (panel.hasAttribute("data-open-wide") && window.matchMedia("(min-width: 992px)").matches) panel.open = true;

  async function load(search) {
    const holder = document.getElementById("synthesis-texts");
    if (!holder) return false;
    try {
      const response = await fetch(holder.dataset.fragmentUrl + search, { headers: { "X-Requested-With": "fetch" } });
      if (!response.ok) return false;
      const template = document.createElement("template");
      template.innerHTML = await response.text();
      const fresh = template.content.getElementById("synthesis-texts");
      if (!fresh) return false;
      holder.replaceWith(fresh);
      return true;
    } catch (e) {
      return false;
    }
  }

  panel.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.synthesis-filter");
    if (!form) return;
    event.preventDefault();
    const search = "?" + new URLSearchParams(new FormData(form)).toString();
    if (!(await load(search))) form.submit();
  });

  panel.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-synthesis-link]");
    if (link) {
      event.preventDefault();
      const url = new URL(link.href, window.location.href);
      if (!(await load(url.search))) window.location.href = link.href;
      else panel.scrollIntoView({ block: "start" });
      return;
    }
    // "Trích dẫn vào bài": the paragraph in quotation marks, then the unit's name in italics, as a
    // paragraph of its own at the cursor (plain text nodes: nothing in the quote is read as markup).
    const button = event.target.closest("button[data-quote]");
    if (!button || !editorInstance) return;
    editorInstance
      .chain()
      .focus()
      .insertContent({
        type: "paragraph",
        content: [
          { type: "text", text: `“${button.dataset.quote}” ` },
          { type: "text", text: button.dataset.attribution, marks: [{ type: "italic" }] },
        ],
      })
      .run();
  });
}
