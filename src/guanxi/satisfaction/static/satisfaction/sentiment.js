// The sentiment model page: macro-F1 per model, one group of bars per held-out set (the
// table beside it has every figure).
(function () {
  const source = document.getElementById("sentiment-data");
  const target = document.getElementById("sentiment-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const colors = ["#2563eb", "#d97706"];
  const traces = d.sets.map(function (s, i) {
    return {
      type: "bar", name: s.name, x: d.models, y: s.values, marker: { color: colors[i % 2] },
      text: s.values.map(function (v) { return v === null ? "" : v.toFixed(3); }), textposition: "outside", cliponaxis: false,
    };
  });
  GuanxiCharts.plot(target, traces, {
    barmode: "group", margin: { t: 20, r: 10, b: 40, l: 50 },
    yaxis: { title: { text: d.axis }, range: [0, 1.1] },
  });
})();
