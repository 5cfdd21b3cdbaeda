// The segment builder: as the filters change, ask the server how many customers they hold
// (GET /segments/count/?…, same origin) and show it. Debounced, so typing an amount asks
// once; an answer that arrives after a newer question was asked is dropped.
(function () {
  "use strict";
  const form = document.getElementById("segment-builder");
  const out = document.getElementById("live-count");
  const problems = document.getElementById("count-errors");
  if (!form || !out || !problems) return;
  const NOT_FILTERS = new Set(["csrfmiddlewaretoken", "name", "description"]);
  const WAIT_MS = 300;
  let timer = null;
  let asked = 0;

  function query() {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (NOT_FILTERS.has(key) || typeof value !== "string" || value.trim() === "") continue;
      const input = form.querySelector('[name="' + key + '"]');
      const box = input && input.closest("[data-mode]");
      if (box && box.hidden) continue; // belongs to another last-purchase mode
      params.append(key, value);
    }
    return params.toString();
  }

  async function refresh() {
    const ticket = ++asked;
    out.classList.add("pending");
    try {
      const response = await fetch(out.dataset.url + "?" + query(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const body = await response.json();
      if (ticket !== asked) return;
      if (response.ok) {
        out.textContent = body.text;
        out.dataset.count = String(body.count);
        problems.textContent = "";
      } else {
        out.dataset.count = "";
        const errors = body.errors || { "": body.detail || response.statusText };
        problems.textContent = Object.entries(errors)
          .map(([field, message]) => (field ? field + ": " : "") + message)
          .join("；");
      }
    } catch (error) {
      if (ticket === asked) problems.textContent = String(error);
    } finally {
      if (ticket === asked) out.classList.remove("pending");
    }
  }

  function later(event) {
    if (event.target && NOT_FILTERS.has(event.target.name)) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, WAIT_MS);
  }

  // Show only the inputs of the chosen last-purchase mode.
  const mode = form.querySelector('[name="last_purchase"]');
  function showMode() {
    for (const box of form.querySelectorAll("[data-mode]")) {
      box.hidden = !box.dataset.mode.split(" ").includes(mode.value);
    }
  }
  if (mode) {
    mode.addEventListener("change", showMode);
    showMode();
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
