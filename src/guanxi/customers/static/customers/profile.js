// The profile's member-score history: the score and its three parts by month, with the tier
// bounds (1000 super member, 2500 APASS) as dotted lines; the numbers are in the table beside.
(function () {
  const source = document.getElementById("score-data");
  const target = document.getElementById("score-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const line = function (y, name, color, width) {
    return { x: d.months, y: y, name: name, type: "scatter", mode: "lines+markers", line: { color: color, width: width } };
  };
  const traces = [
    line(d.score, L.score, "#2563eb", 3),
    line(d.purchase, L.purchase, "#16a34a", 1.5),
    line(d.interaction, L.interaction, "#d97706", 1.5),
    line(d.credit, L.credit, "#7c3aed", 1.5),
  ];
  const top = Math.max.apply(null, d.score.concat([1000]));
  const bound = function (y, text) {
    return { type: "line", xref: "paper", x0: 0, x1: 1, y0: y, y1: y, line: { color: "#94a3b8", dash: "dot", width: 1 } };
  };
  const shapes = [bound(1000)];
  const notes = [{ xref: "paper", x: 0, xanchor: "left", y: 1000, yanchor: "bottom", text: L.super, showarrow: false, font: { size: 11, color: "#64748b" } }];
  if (top >= 2000) {
    shapes.push(bound(2500));
    notes.push({ xref: "paper", x: 0, xanchor: "left", y: 2500, yanchor: "bottom", text: L.apass, showarrow: false, font: { size: 11, color: "#64748b" } });
  }
  GuanxiCharts.plot(target, traces, {
    margin: { t: 10, r: 10, b: 40, l: 50 },
    height: 260,
    xaxis: { type: "category" },
    yaxis: { rangemode: "tozero", fixedrange: true },
    shapes: shapes,
    annotations: notes,
  });
})();
