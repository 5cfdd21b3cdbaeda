// The CLV page's two charts: the hold-out check (predicted vs actual purchases per customer,
// by calibration frequency, as the BG/NBD paper's figure) and the distribution of CLV.
(function () {
  if (typeof Plotly === "undefined" || typeof GuanxiCharts === "undefined") return;
  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  const fixed = { fixedrange: true };
  // On a phone the axis titles would sit on the legend and the ticks: the tables beside
  // the charts name the axes there.
  function title(text) {
    return GuanxiCharts.narrow() ? undefined : { text: text };
  }
  const h = data("clv-holdout-data");
  const hTarget = document.getElementById("clv-holdout-chart");
  if (h && hTarget) {
    GuanxiCharts.plot(hTarget, [
      { type: "bar", name: h.labels.actual, x: h.x, y: h.actual, marker: { color: "#94a3b8" } },
      { type: "scatter", mode: "lines+markers", name: h.labels.predicted, x: h.x, y: h.predicted,
        line: { color: "#2563eb", width: 3 } },
    ], {
      margin: { t: 10, r: 10, b: 60, l: 50 },
      // no x title: the legend sits where it would go; the caption and the table name it
      xaxis: Object.assign({ type: "category" }, fixed),
      yaxis: Object.assign({ title: title(h.labels.y), rangemode: "tozero" }, fixed),
    });
  }
  const d = data("clv-distribution-data");
  const dTarget = document.getElementById("clv-distribution-chart");
  if (d && dTarget) {
    GuanxiCharts.plot(dTarget, [
      { type: "bar", x: d.x, y: d.y, marker: { color: "#16a34a" },
        hovertemplate: "%{x}<br>" + d.labels.y + ": %{y:,}<extra></extra>" },
    ], {
      margin: { t: 10, r: 10, b: 80, l: 50 },
      xaxis: Object.assign({ title: title(d.labels.x), type: "category" }, fixed),
      yaxis: Object.assign({ title: title(d.labels.y), rangemode: "tozero" }, fixed),
    });
  }
})();
