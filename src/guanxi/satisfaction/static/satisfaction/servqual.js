// SERVQUAL: the gap (perceived − expected) and the weighted gap per dimension; negative bars
// are red. The numbers are in the table beside the chart.
(function () {
  const source = document.getElementById("servqual-data");
  const box = document.getElementById("servqual-chart");
  if (!source || !box || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  function colors(values, neg, pos) { return values.map(function (v) { return v < 0 ? neg : pos; }); }
  GuanxiCharts.plot(box, [
    { type: "bar", name: d.gap_name, x: d.labels, y: d.gaps, marker: { color: colors(d.gaps, "#b42318", "#16a34a") } },
    { type: "bar", name: d.weighted_name, x: d.labels, y: d.weighted, marker: { color: colors(d.weighted, "#fda29b", "#86efac") } },
  ], { title: { text: d.title }, barmode: "group", margin: { t: 36, r: 10, b: 40, l: 44 }, xaxis: { type: "category" }, yaxis: { zeroline: true } });
})();
