// The sentiment model page: macro-F1 per model, one bar per held-out set, as horizontal
// bars so the models' long names stay readable on a phone (the table below has every
// figure).
(function () {
  const source = document.getElementById("sentiment-data");
  const target = document.getElementById("sentiment-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const colors = ["#2563eb", "#d97706"];
  const traces = d.sets.map(function (s, i) {
    return {
      type: "bar", orientation: "h", name: s.name, y: d.models, x: s.values,
      marker: { color: colors[i % 2] },
      text: s.values.map(function (v) { return v === null ? "" : v.toFixed(3); }),
      textposition: "outside", cliponaxis: false,
    };
  });
  GuanxiCharts.plot(target, traces, {
    barmode: "group", margin: { t: 10, r: 40, b: 40, l: 10 },
    xaxis: { range: [0, 1.05] },  // the axis is named above the chart, clear of the legend
    yaxis: { automargin: true, autorange: "reversed" },
  });
})();
