// The dashboard's daily trend as three small panels over the same days, each with its own
// y axis: visitors and page views (hundreds a day), consulting and paying customers (tens a
// day: on the visitors' axis they would lie flat near zero), and the paid amount.
(function () {
  const source = document.getElementById("trend-data");
  const target = document.getElementById("trend-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const line = (y, name, axis, extra) =>
    Object.assign({ x: d.days, y: y, name: name, type: "scatter", mode: "lines", yaxis: axis }, extra || {});
  const traces = [
    line(d.uv, L.uv, "y", { line: { color: "#2563eb" } }),
    line(d.pv, L.pv, "y", { line: { color: "#93c5fd", dash: "dot" } }),
    line(d.consulting, L.consulting, "y2", { line: { color: "#16a34a" } }),
    line(d.paying, L.paying, "y2", { line: { color: "#d97706" } }),
    { x: d.days, y: d.paid_amount, name: L.paid_amount, type: "bar", yaxis: "y3", marker: { color: "#b42318" }, opacity: 0.6 },
  ];
  // Top to bottom; a little space between the panels for each one's title.
  const panels = [
    { axis: "yaxis", domain: [0.71, 0.95], title: L.traffic },
    { axis: "yaxis2", domain: [0.38, 0.62], title: L.customers },
    { axis: "yaxis3", domain: [0.0, 0.29], title: L.amount },
  ];
  const layout = {
    margin: { t: 10, r: 16, b: 40, l: 60 },
    hovermode: "x",
    xaxis: { type: "date", tickformat: "%m-%d", hoverformat: "%Y-%m-%d", anchor: "y3" },
    annotations: panels.map((p) => ({
      text: "<b>" + p.title + "</b>", xref: "paper", yref: "paper", x: 0, y: p.domain[1],
      xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 12, color: "#334155" },
    })),
  };
  panels.forEach((p) => {
    layout[p.axis] = { domain: p.domain, rangemode: "tozero", anchor: "x" };
  });
  GuanxiCharts.plot(target, traces, layout);
})();
