// The profile's member-score history: the three parts stacked per month, the tier bounds
// as dashed lines (the numbers are in the table under it).
(function () {
  const source = document.getElementById("member-history-data");
  const target = document.getElementById("member-history-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const colors = { purchase: "#2563eb", interaction: "#16a34a", credit: "#d97706" };
  const traces = ["purchase", "interaction", "credit"].map(function (part) {
    return { type: "bar", name: d.labels[part], x: d.months, y: d[part], marker: { color: colors[part] } };
  });
  const totals = d.months.map(function (_, i) { return d.purchase[i] + d.interaction[i] + d.credit[i]; });
  const top = Math.max.apply(null, totals.concat([1]));
  const shapes = d.bounds.filter(function (b) { return b.at <= top * 1.25; }).map(function (b) {
    return { type: "line", xref: "paper", x0: 0, x1: 1, y0: b.at, y1: b.at, line: { color: "#b42318", dash: "dash", width: 1 } };
  });
  const layout = {
    barmode: "stack",
    margin: { t: 10, r: 10, b: 40, l: 50 },
    shapes: shapes,
    xaxis: { type: "category" },
    yaxis: { title: { text: d.labels.y }, rangemode: "tozero" },
  };
  GuanxiCharts.plot(target, traces, layout);
})();
