// The review analytics page: 好评率 by month (stacked counts, the rate on its own axis),
// sentiment by month, and the six themes among all reviews and among the bad ones.
(function () {
  const source = document.getElementById("reviews-data");
  if (!source || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const rate = document.getElementById("rate-chart");
  if (rate) {
    GuanxiCharts.plot(rate, [
      { type: "bar", name: L.good, x: d.months, y: d.good, marker: { color: "#16a34a" } },
      { type: "bar", name: L.neutral, x: d.months, y: d.neutral, marker: { color: "#94a3b8" } },
      { type: "bar", name: L.bad, x: d.months, y: d.bad, marker: { color: "#b42318" } },
      { type: "scatter", mode: "lines+markers+text", name: L.rate, x: d.months, y: d.rate, yaxis: "y2",
        text: d.rate.map(function (v) { return v === null ? "" : v.toFixed(2) + "%"; }), textposition: "top center",
        line: { color: "#2563eb" }, cliponaxis: false },
      { type: "scatter", mode: "lines+markers", name: L.churn, x: d.months, y: d.churn, yaxis: "y2",
        line: { color: "#d97706", dash: "dot" } },
    ], {
      barmode: "stack", margin: { t: 36, r: 50, b: 30, l: 50 },
      xaxis: { type: "category" },
      yaxis: { rangemode: "tozero" },
      yaxis2: { overlaying: "y", side: "right", range: [0, 105], tickmode: "linear", tick0: 0, dtick: 25, ticksuffix: "%", showgrid: false },
    });
  }
  const sentiment = document.getElementById("sentiment-chart");
  if (sentiment) {
    GuanxiCharts.plot(sentiment, [
      { type: "bar", name: L.positive, x: d.s_months, y: d.positive, marker: { color: "#16a34a" } },
      { type: "bar", name: L.s_neutral, x: d.s_months, y: d.s_neutral, marker: { color: "#94a3b8" } },
      { type: "bar", name: L.negative, x: d.s_months, y: d.negative, marker: { color: "#b42318" } },
    ], { barmode: "stack", margin: { t: 20, r: 20, b: 30, l: 50 }, xaxis: { type: "category" } });
  }
  const themes = document.getElementById("theme-chart");
  if (themes) {
    GuanxiCharts.plot(themes, [
      { type: "bar", name: L.theme_all, x: d.themes, y: d.theme_all, text: d.theme_all, textposition: "auto", marker: { color: "#2563eb" } },
      { type: "bar", name: L.theme_bad, x: d.themes, y: d.theme_bad, text: d.theme_bad, textposition: "auto", marker: { color: "#b42318" } },
    ], { barmode: "group", margin: { t: 20, r: 20, b: 40, l: 50 } });
  }
})();
