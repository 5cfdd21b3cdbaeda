// The RFM explorer's R×F heat-map: customers per cell as colour, the count and average M as
// text; a click opens the customer list filtered to that cell.
(function () {
  const source = document.getElementById("rfm-grid-data");
  const target = document.getElementById("rfm-grid-chart");
  const script = document.getElementById("rfm-script");
  if (!source || !target || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const trace = {
    type: "heatmap", x: d.x, y: d.y, z: d.z, text: d.text, texttemplate: "%{text}",
    hovertemplate: "%{y} · %{x}<br>" + d.labels.count + ": %{z:,}<extra></extra>",
    colorscale: [[0, "#f8fafc"], [1, "#b42318"]], showscale: false, xgap: 2, ygap: 2,
  };
  const layout = {
    margin: { t: 10, r: 10, b: 50, l: 50 },
    xaxis: { title: { text: d.labels.x }, side: "bottom", fixedrange: true },
    yaxis: { title: { text: d.labels.y }, fixedrange: true, autorange: "reversed" },  // R5 on top, as the table
  };
  GuanxiCharts.plot(target, [trace], layout).then(function () {
    target.on("plotly_click", function (event) {
      const p = event.points && event.points[0];
      if (!p || !p.z) return;  // an empty cell: nobody to list
      const r = String(p.y).replace("R", ""), f = String(p.x).replace("F", "");
      window.location.href = script.dataset.list + "?r_score=" + r + "&f_score=" + f;
    });
  });
})();
