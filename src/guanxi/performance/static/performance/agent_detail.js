// The agent detail page's charts: three daily line charts and the response-time histogram.
(function () {
  if (typeof Plotly === "undefined") return;
  const font = { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' };
  const trendSource = document.getElementById("trend-data");
  if (trendSource) {
    const d = JSON.parse(trendSource.textContent);
    const L = d.labels;
    const line = (y, name, extra) =>
      Object.assign({ x: d.days, y: y, name: name, type: "scatter", mode: "lines+markers", connectgaps: false }, extra || {});
    const base = (extra) =>
      Object.assign({
        margin: { t: 10, r: 60, b: 40, l: 60 },
        font: font,
        xaxis: { type: "date", tickformat: "%m-%d", hoverformat: "%Y-%m-%d" },
      }, extra);
    GuanxiCharts.plot("chart-volume", [
      line(d.received, L.received),
      line(d.inquirers, L.inquirers),
      { x: d.days, y: d.sales, name: L.sales, type: "bar", yaxis: "y2", opacity: 0.35, marker: { color: "#b42318" } },
    ], base({
      yaxis: { title: { text: L.people }, rangemode: "tozero", automargin: true },
      yaxis2: { title: { text: L.amount }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false, automargin: true },
    }));
    GuanxiCharts.plot("chart-speed", [
      line(d.first_response, L.first_response),
      line(d.avg_response, L.avg_response),
    ], base({ yaxis: { title: { text: L.seconds }, rangemode: "tozero", automargin: true } }));
    GuanxiCharts.plot("chart-rates", [
      line(d.three_minute, L.three_minute),
      line(d.conversion, L.conversion),
    ], base({ yaxis: { title: { text: L.percent }, range: [0, 105], automargin: true } }));
  }
  const distSource = document.getElementById("distribution-data");
  if (distSource) {
    const d = JSON.parse(distSource.textContent);
    GuanxiCharts.plot("chart-distribution", [{
      x: d.buckets, y: d.rounds, type: "bar", text: d.shares, textposition: "outside",
      marker: { color: ["#067647", "#067647", "#3b82f6", "#f59e0b", "#f97316", "#b42318"] },
      hovertemplate: "%{x}: %{y} (%{text})<extra></extra>",
    }], {
      margin: { t: 20, r: 20, b: 50, l: 50 }, font: font, showlegend: false,
      xaxis: { title: { text: d.labels.seconds }, type: "category" },
      yaxis: { title: { text: d.labels.rounds }, rangemode: "tozero", automargin: true },
    });
  }
})();
