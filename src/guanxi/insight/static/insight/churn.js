// The churn page's two charts: churn rate per risk decile (model beside the recency
// baseline, the overall rate as a line) and the model's calibration (mean predicted vs
// observed per bin, against the diagonal). The same numbers are in the tables beside them.
(function () {
  const source = document.getElementById("churn-chart-data");
  if (!source || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const deciles = document.getElementById("churn-deciles-chart");
  if (deciles) {
    GuanxiCharts.plot(deciles, [
      { type: "bar", name: L.model, x: d.deciles.x, y: d.deciles.model, marker: { color: "#b42318" },
        hovertemplate: "%{x}: %{y:.1%}<extra>" + L.model + "</extra>" },
      { type: "bar", name: L.baseline, x: d.deciles.x, y: d.deciles.baseline, marker: { color: "#94a3b8" },
        hovertemplate: "%{x}: %{y:.1%}<extra>" + L.baseline + "</extra>" },
      { type: "scatter", mode: "lines", name: L.overall, x: d.deciles.x,
        y: d.deciles.x.map(function () { return d.deciles.overall; }), line: { color: "#0f172a", dash: "dot" } },
    ], {
      barmode: "group", margin: { t: 10, r: 10, b: 50, l: 50 },
      xaxis: { fixedrange: true },
      yaxis: { title: { text: L.rate }, tickformat: ".0%", range: [0, 1], fixedrange: true },
    });
  }
  const calibration = document.getElementById("churn-calibration-chart");
  if (calibration) {
    GuanxiCharts.plot(calibration, [
      { type: "scatter", mode: "lines", name: L.ideal, x: [0, 1], y: [0, 1], line: { color: "#94a3b8", dash: "dash" } },
      { type: "scatter", mode: "lines+markers", name: L.model, x: d.calibration.model.x, y: d.calibration.model.y,
        line: { color: "#b42318" }, hovertemplate: "%{x:.1%} → %{y:.1%}<extra></extra>" },
    ], {
      margin: { t: 10, r: 10, b: 50, l: 50 },
      xaxis: { tickformat: ".0%", range: [0, 1], fixedrange: true },
      yaxis: { title: { text: L.observed }, tickformat: ".0%", range: [0, 1], fixedrange: true },
    });
  }
})();
