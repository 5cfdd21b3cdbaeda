// While a run is queued or running, polls its progress (runs/progress.json) every second and
// moves the bars; when one finishes, reloads the page so the new figures and state show.
(function () {
  const box = document.getElementById("run-history") || document.getElementById("run-state");
  if (!box || box.dataset.active !== "1") return;
  function activeIds() {
    if (box.id === "run-state") return [box.dataset.run];
    return Array.from(box.querySelectorAll("tr[data-run]"))
      .filter((tr) => tr.dataset.state === "queued" || tr.dataset.state === "running")
      .map((tr) => tr.dataset.run);
  }
  const ids = activeIds();
  if (!ids.length) return;
  async function poll() {
    try {
      const response = await fetch(box.dataset.progressUrl + "?ids=" + ids.join(","), { credentials: "same-origin" });
      if (response.ok) {
        const answer = await response.json();
        let finished = false;
        for (const run of answer.runs) {
          const row = box.id === "run-state" ? box : box.querySelector('tr[data-run="' + run.id + '"]');
          if (!row) continue;
          const bar = row.querySelector(".bar > span");
          const progressbar = row.querySelector(".bar");
          const step = row.querySelector(".step");
          const label = row.querySelector(".state-label");
          if (bar) bar.style.width = run.progress + "%";
          if (progressbar) progressbar.setAttribute("aria-valuenow", run.progress);
          if (step) step.textContent = run.progress + "%" + (run.step ? " · " + run.step : "");
          if (label) { label.textContent = run.state_label; label.className = "state-label " + run.state; }
          row.dataset.state = run.state;
          if (run.done) finished = true;
        }
        if (finished) { window.location.reload(); return; }
      }
    } catch (error) { /* the network hiccuped: try again */ }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
