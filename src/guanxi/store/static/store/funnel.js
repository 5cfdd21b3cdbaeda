// The funnel page: this period's steps and the previous period's, side by side.
(function () {
  const source = document.getElementById("funnel-data");
  const target = document.getElementById("funnel-chart");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  // The count and the step rate (÷ the step before), as the table shows them.
  const text = "%{value:,} · %{percentPrevious:.2%}";
  const traces = [
    { type: "funnel", name: d.labels.current, y: d.steps, x: d.current, texttemplate: text, textposition: "outside", cliponaxis: false, marker: { color: "#b42318" } },
    { type: "funnel", name: d.labels.previous, y: d.steps, x: d.previous, texttemplate: text, textposition: "outside", cliponaxis: false, marker: { color: "#94a3b8" } },
  ];
  const layout = {
    margin: { t: 10, r: 130, b: 20, l: 170 },
    font: { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' },
    funnelmode: "group",
  };
  GuanxiCharts.plot(target, traces, layout);
})();
