// The clusters page's two charts: silhouette per k (the chosen k marked) and the customers'
// sample on the two principal components, one colour per cluster. Numbers are in the tables.
(function () {
  if (typeof Plotly === "undefined") return;
  const sil = document.getElementById("silhouette-data");
  const silTarget = document.getElementById("silhouette-chart");
  if (sil && silTarget) {
    const d = JSON.parse(sil.textContent);
    const colors = d.k.map(function (k) { return k === d.chosen ? "#b42318" : "#2563eb"; });
    GuanxiCharts.plot(silTarget, [{
      type: "bar", x: d.k, y: d.score, marker: { color: colors },
      text: d.score.map(function (s) { return s.toFixed(3); }), textposition: "outside",
      hovertemplate: "k=%{x}: %{y:.3f}<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 40, l: 50 }, showlegend: false,
      xaxis: { title: { text: d.labels.x }, dtick: 1, fixedrange: true },
      yaxis: { title: { text: d.labels.y }, fixedrange: true, rangemode: "tozero" },
    });
  }
  const sc = document.getElementById("scatter-data");
  const scTarget = document.getElementById("scatter-chart");
  if (sc && scTarget) {
    const d = JSON.parse(sc.textContent);
    const traces = d.traces.map(function (t) {
      return { type: "scatter", mode: "markers", name: t.name, x: t.x, y: t.y,
        marker: { size: 5, opacity: 0.65 }, hovertemplate: t.name + "<extra></extra>" };
    });
    // The x axis on top: the legend takes the space under the plot.
    GuanxiCharts.plot(scTarget, traces, {
      margin: { t: 50, r: 10, b: 30, l: 50 },
      xaxis: { title: { text: d.labels.x }, zeroline: false, side: "top" },
      yaxis: { title: { text: d.labels.y }, zeroline: false },
    });
  }
})();
