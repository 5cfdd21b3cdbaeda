// The funnel page: this period's steps and the previous period's, side by side.
(function () {
  const source = document.getElementById("funnel-data");
  const target = document.getElementById("funnel-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const traces = [
    { type: "funnel", name: d.labels.current, y: d.steps, x: d.current, textinfo: "value+percent previous", marker: { color: "#b42318" } },
    { type: "funnel", name: d.labels.previous, y: d.steps, x: d.previous, textinfo: "value+percent previous", marker: { color: "#94a3b8" } },
  ];
  const layout = {
    margin: { t: 10, r: 20, b: 20, l: 120 },
    legend: { orientation: "h", y: 1.1 },
    font: { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
    funnelmode: "group",
  };
  Plotly.newPlot(target, traces, layout, { displaylogo: false, responsive: true });
})();
