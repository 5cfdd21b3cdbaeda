// "复制答案": copy the entry's answer to the clipboard, insert it into the reply box when the
// page has one (a textarea marked data-kb-target, e.g. the ticket's reply), and count one use
// (POST, JSON back with the new count). Without script the form posts and the page reloads.
(function () {
  if (window.guanxiKnowledge) return; // loaded by the page and by a suggestions panel
  window.guanxiKnowledge = true;

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand("copy");
    area.remove();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function insert(text) {
    const target = document.querySelector("textarea[data-kb-target]");
    if (!target) return;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? target.value.length;
    target.value = target.value.slice(0, start) + text + target.value.slice(end);
    target.focus();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form.kb-use");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    const text = form.dataset.answer || "";
    insert(text);
    copy(text)
      .then(function () { button.textContent = button.dataset.copied; })
      .catch(function () { button.textContent = button.dataset.failed; });
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        const count = form.closest(".kb-entry").querySelector(".kb-uses b");
        if (count) count.textContent = data.uses;
      });
  });
})();
