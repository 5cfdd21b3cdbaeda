// The dashboard's daily trend: people (visitors, consulting, paying) and the paid amount.
(function () {
  const source = document.getElementById("trend-data");
  const target = document.getElementById("trend-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const line = (y, name, extra) => Object.assign({ x: d.days, y: y, name: name, type: "scatter", mode: "lines" }, extra || {});
  const traces = [
    line(d.uv, L.uv),
    line(d.consulting, L.consulting),
    line(d.paying, L.paying),
    { x: d.days, y: d.paid_amount, name: L.paid_amount, type: "bar", yaxis: "y2", opacity: 0.35, marker: { color: "#b42318" } },
  ];
  const layout = {
    margin: { t: 10, r: 60, b: 40, l: 60 },
    font: { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
    yaxis: { title: { text: L.people }, rangemode: "tozero" },
    yaxis2: { title: { text: L.amount }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false },
    xaxis: { type: "date", tickformat: "%m-%d", hoverformat: "%Y-%m-%d" },
  };
  GuanxiCharts.plot(target, traces, layout);
})();
