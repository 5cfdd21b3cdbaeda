// The members page: the distribution of the month's scores, with the perk and tier bounds
// drawn as dashed lines (the numbers are in the table beside it).
(function () {
  const source = document.getElementById("members-data");
  const target = document.getElementById("members-histogram");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const centres = d.low.map(function (low) { return low + d.width / 2; });
  const traces = [{
    type: "bar", x: centres, y: d.customers, width: d.width * 0.95, name: d.labels.y,
    marker: { color: "#2563eb" },
    hovertemplate: "%{customdata}<br>%{y:,}<extra></extra>",
    customdata: d.low.map(function (low) { return low + " – " + (low + d.width - 1); }),
  }];
  const top = Math.max.apply(null, d.customers.concat([1]));
  const last = d.low[d.low.length - 1] + d.width;
  const shapes = [];
  const notes = [];
  // Bounds close together (800 and 1000) would print their names over each other: every
  // other name sits lower.
  d.bounds.forEach(function (b, i) {
    if (b.at > last) return;
    const y = i % 2 === 0 ? top : top * 0.86;
    shapes.push({ type: "line", x0: b.at, x1: b.at, y0: 0, y1: top, line: { color: "#b42318", dash: "dash", width: 1 } });
    notes.push({ x: b.at, y: y, text: b.name, showarrow: false, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.8)", font: { size: 11, color: "#b42318" } });
  });
  const layout = {
    margin: { t: 24, r: 10, b: 40, l: 50 },
    bargap: 0,
    showlegend: false,
    shapes: shapes,
    annotations: notes,
    xaxis: { title: { text: d.labels.x }, rangemode: "tozero" },
    yaxis: { title: { text: d.labels.y }, rangemode: "tozero" },
  };
  GuanxiCharts.plot(target, traces, layout);
})();
