// A survey's results: the breakdown (CSAT % and NPS with its 95 % interval as error bars,
// responses as bars), each question's distribution, the NPS groups and the text answers'
// themes. The numbers are in the tables beside each chart.
(function () {
  const source = document.getElementById("results-data");
  if (!source || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const margin = { t: 36, r: 10, b: 40, l: 44 };
  function counts(values) {
    const top = Math.max.apply(null, [1].concat(values));
    return { rangemode: "tozero", tickformat: ",d", dtick: top <= 5 ? 1 : null };
  }
  const by = document.getElementById("by-chart");
  if (by) {
    // responses as pale bars on the right-hand axis underneath; CSAT % and NPS (points, with
    // the 95 % interval as error bars) as lines drawn over them on the −100..100 axis
    const traces = [{ type: "bar", name: d.by.responses_name, x: d.by.labels, y: d.by.responses, marker: { color: "#cbd5e1" }, opacity: 0.6 }];
    d.by.series.forEach(function (s) {
      const trace = { type: "scatter", mode: "lines+markers", name: s.name, x: d.by.labels, y: s.values, yaxis: "y2", connectgaps: false };
      if (s.low) {
        trace.error_y = {
          type: "data", symmetric: false,
          array: s.values.map(function (v, i) { return v === null ? null : s.high[i] - v; }),
          arrayminus: s.values.map(function (v, i) { return v === null ? null : v - s.low[i]; }),
        };
      }
      traces.push(trace);
    });
    GuanxiCharts.plot(by, traces, {
      title: { text: d.by.title }, margin: margin, xaxis: { type: "category" },
      yaxis: Object.assign({ side: "right", showgrid: false }, counts(d.by.responses)),
      yaxis2: { overlaying: "y", side: "left", range: [-105, 105], tickvals: [-100, -50, 0, 50, 100], zeroline: true },
    });
  }
  d.questions.forEach(function (q) {
    const box = document.getElementById(q.id);
    if (!box) return;
    let colors = null;
    if (q.nps) {
      colors = q.labels.map(function (v) { const n = Number(v); return n >= 9 ? "#16a34a" : n >= 7 ? "#94a3b8" : "#b42318"; });
    }
    const title = GuanxiCharts.title(q.title, box);  // a question can be long: wrapped
    GuanxiCharts.plot(box, [{ type: "bar", x: q.labels, y: q.values, marker: colors ? { color: colors } : {} }],
      { title: { text: title.text }, margin: Object.assign({}, margin, { t: 18 + 18 * title.lines }),
        xaxis: { type: "category" }, yaxis: counts(q.values), showlegend: false });
  });
  const nps = document.getElementById("nps-chart");
  const npsTable = document.getElementById("nps-table");
  if (nps && npsTable) {
    const rows = Array.prototype.slice.call(npsTable.querySelectorAll("tbody tr"));
    const labels = rows.map(function (r) { return r.cells[0].textContent; });
    const values = rows.map(function (r) { return Number(r.cells[1].textContent); });
    GuanxiCharts.plot(nps, [{ type: "bar", orientation: "h", x: values, y: labels, marker: { color: ["#16a34a", "#94a3b8", "#b42318"] } }],
      { margin: { t: 10, r: 10, b: 30, l: 110 }, yaxis: { autorange: "reversed" }, xaxis: counts(values), showlegend: false });
  }
  const themes = document.getElementById("themes-chart");
  if (themes && d.themes) {
    GuanxiCharts.plot(themes, [{ type: "bar", x: d.themes.labels, y: d.themes.values }],
      { margin: margin, xaxis: { type: "category" }, yaxis: counts(d.themes.values), showlegend: false });
  }
})();
