// The satisfaction dashboard: one horizontal bar per source with data, on the common 0–100
// scale, coloured by the side of the balance it feeds; the two totals last. The numbers are
// also printed in the table under the chart.
(function () {
  const source = document.getElementById("sat-data");
  const target = document.getElementById("sat-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  if (!d.bars.length) { target.style.display = "none"; return; }
  const colors = { product: "#2563eb", service: "#16a34a", expectation: "#d97706", perceived: "#1e3a8a", total: "#92400e" };
  const order = ["product", "service", "perceived", "expectation", "total"];
  const traces = order.map(function (side) {
    const bars = d.bars.filter(function (b) { return b.side === side; });
    return {
      type: "bar", orientation: "h", name: d.sides[side],
      y: bars.map(function (b) { return b.label; }), x: bars.map(function (b) { return b.value; }),
      text: bars.map(function (b) { return b.value.toFixed(1); }), textposition: "auto",
      marker: { color: colors[side] },
      hovertemplate: "%{y}: %{x:.1f}<extra></extra>",
    };
  }).filter(function (t) { return t.y.length; });
  const layout = {
    barmode: "group", margin: { t: 10, r: 10, b: 40, l: 10 },
    font: { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
    xaxis: { range: [0, 101], dtick: 20, fixedrange: true },  // the scale is in the heading above
    yaxis: { autorange: "reversed", automargin: true, fixedrange: true },
    legend: { orientation: "h", y: -0.12, yanchor: "top" },
  };
  // On a phone, long source names would squeeze the bars: shorten the ticks (the full names
  // are in the hover and in the table under the chart).
  if (target.clientWidth < 560) {
    const labels = d.bars.map(function (b) { return b.label; });
    layout.xaxis.dtick = 50;
    layout.yaxis.tickvals = labels;
    layout.yaxis.ticktext = labels.map(function (l) { return l.length > 16 ? l.slice(0, 15) + "…" : l; });
  }
  GuanxiCharts.plot(target, traces, layout);
})();
