// Polls the import's progress until it is done, then reloads to show the result.
(function () {
  const box = document.getElementById("import-status");
  if (!box || box.dataset.done === "1") return;
  const bar = document.getElementById("progress-bar");
  const label = document.getElementById("status-label");
  async function poll() {
    const response = await fetch(box.dataset.progressUrl, { credentials: "same-origin" });
    if (response.ok) {
      const state = await response.json();
      bar.style.width = Math.round(state.progress * 100) + "%";
      label.textContent = state.status_label;
      if (state.done) { window.location.reload(); return; }
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
