// The DSR page: one chart per dimension, the shop's rolling score against the industry, all on
// the same fixed axis (4–5, lower only when a value is) so a 0.02 wobble looks like one.
(function () {
  const source = document.getElementById("dsr-data");
  if (!source || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  d.dimensions.forEach(function (dim) {
    const target = document.getElementById("dsr-chart-" + dim.key);
    if (!target) return;
    const traces = [
      { x: d.months, y: dim.score, name: L.score, type: "scatter", mode: "lines+markers", line: { color: "#2563eb", width: 3 } },
      { x: d.months, y: dim.industry, name: L.industry, type: "scatter", mode: "lines+markers", line: { color: "#b42318", dash: "dash" }, marker: { size: 4 }, connectgaps: false },
    ];
    const layout = {
      margin: { t: 10, r: 10, b: 40, l: 50 },
      font: { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
      xaxis: { type: "category", range: [-0.5, d.months.length - 0.5] },  // room beside the y ticks
      yaxis: { title: { text: L.axis }, range: d.range, fixedrange: true, dtick: 0.25, tickformat: ".2f", hoverformat: ".3f" },
    };
    GuanxiCharts.plot(target, traces, layout);
  });
})();
