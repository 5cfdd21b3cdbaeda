// The basket page: the recommendation evaluation (model beside the popularity baseline) and
// the bundles' extra baskets; the same numbers are in the tables beside each chart.
(function () {
  if (typeof Plotly === "undefined") return;
  const ev = document.getElementById("evaluation-data");
  const evTarget = document.getElementById("evaluation-chart");
  if (ev && evTarget) {
    const d = JSON.parse(ev.textContent);
    GuanxiCharts.plot(evTarget, [
      { x: d.categories, y: d.model, name: d.labels.model, type: "bar", marker: { color: "#2563eb" }, texttemplate: "%{y:.3f}", textposition: "outside" },
      { x: d.categories, y: d.baseline, name: d.labels.baseline, type: "bar", marker: { color: "#94a3b8" }, texttemplate: "%{y:.3f}", textposition: "outside" },
    ], { margin: { t: 20, r: 10, b: 40, l: 40 }, barmode: "group", yaxis: { range: [0, 1.1], fixedrange: true, tickformat: ".0%" }, xaxis: { fixedrange: true } });
  }
  const bu = document.getElementById("bundle-data");
  const buTarget = document.getElementById("bundle-chart");
  if (bu && buTarget) {
    const d = JSON.parse(bu.textContent);
    // Horizontal bars, largest on top; long product names are cut on the axis (the table has them).
    const narrow = GuanxiCharts.narrow();
    const room = narrow ? 14 : 28;
    const names = d.names.map(function (n) { return n.length > room ? n.slice(0, room - 1) + "…" : n; }).reverse();
    GuanxiCharts.plot(buTarget, [
      { y: names, x: d.uplift.slice().reverse(), name: d.labels.uplift, type: "bar", orientation: "h", marker: { color: "#16a34a" }, hovertext: d.names.slice().reverse(), hoverinfo: "text+x" },
    ], { margin: { t: 10, r: 10, b: 30, l: narrow ? 90 : 160 }, yaxis: { fixedrange: true, automargin: true }, xaxis: { fixedrange: true }, showlegend: false });
  }
})();
