// The customer analytics page: bars for demographics, regions, spend and loyalty, lines for
// the category trend, a heat-map for the cohort triangle. The numbers are in the tables
// beside each chart; the charts only show their shape.
(function () {
  const source = document.getElementById("analytics-data");
  if (!source || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const margin = { t: 10, r: 10, b: 40, l: 50 };

  function box(id) {
    return document.getElementById(id);
  }
  function empty(target) {
    target.classList.add("empty");
    target.style.height = "auto";
    target.textContent = "—";
  }
  function bars(id, data, color) {
    const target = box(id);
    if (!target) return;
    if (!data.labels.length) return empty(target);
    const trace = { type: "bar", x: data.labels, y: data.customers, name: L.customers, marker: { color: color }, text: data.customers, textposition: "auto", textangle: 0 };
    GuanxiCharts.plot(target, [trace], { margin: margin, xaxis: { type: "category", automargin: true }, yaxis: { title: { text: L.customers } }, showlegend: false });
  }
  // ranked horizontal bars, the largest on top
  function ranked(id, data) {
    const target = box(id);
    if (!target) return;
    if (!data.labels.length) return empty(target);
    const trace = {
      type: "bar", orientation: "h", y: data.labels.slice().reverse(), x: data.customers.slice().reverse(),
      name: L.customers, marker: { color: "#2563eb" }, text: data.customers.slice().reverse(), textposition: "auto", textangle: 0,
    };
    GuanxiCharts.plot(target, [trace], { margin: { t: 10, r: 10, b: 40, l: 90 }, yaxis: { type: "category", automargin: true }, showlegend: false });
  }

  bars("chart-gender", d.gender, "#7c3aed");
  bars("chart-age", d.age, "#0891b2");
  ranked("chart-provinces", d.provinces);
  ranked("chart-cities", d.cities);
  bars("chart-spend", d.spend, "#16a34a");

  const cat = box("chart-categories");
  if (cat) {
    if (!d.categories.months.length) empty(cat);
    else {
      const traces = d.categories.series.map(function (s) {
        return { type: "scatter", mode: "lines+markers", x: d.categories.months, y: s.values, name: s.name };
      });
      GuanxiCharts.plot(cat, traces, {
        margin: { t: 10, r: 10, b: 80, l: 70 },
        xaxis: { type: "category", tickangle: -45, automargin: true },
        yaxis: { title: { text: L.amount }, rangemode: "tozero" },
      });
    }
  }

  const heat = box("chart-cohorts");
  if (heat) {
    const c = d.cohorts;
    if (!c.cohorts.length || !c.offsets.length) empty(heat);
    else {
      const text = c.rates.map(function (row) {
        return row.map(function (v) { return v === null ? "" : v.toFixed(1) + "%"; });
      });
      const trace = {
        type: "heatmap", x: c.offsets, y: c.cohorts, z: c.rates, text: text, texttemplate: "%{text}",
        colorscale: [[0, "#f8fafc"], [1, "#1d4ed8"]], zmin: 0, hoverongaps: false,
        colorbar: { title: { text: "%" }, thickness: 10 },
      };
      GuanxiCharts.plot(heat, [trace], {
        margin: { t: 40, r: 10, b: 10, l: 70 },
        xaxis: { type: "category", side: "top", automargin: true },
        yaxis: { type: "category", autorange: "reversed", automargin: true },
      });
    }
  }

  const loyal = box("chart-loyalty");
  if (loyal) {
    if (!d.loyalty.labels.length) empty(loyal);
    else {
      const colors = { high: "#16a34a", medium: "#d97706", low: "#b42318", "": "#94a3b8" };
      const trace = {
        type: "bar", x: d.loyalty.labels, y: d.loyalty.customers, text: d.loyalty.customers, textposition: "auto", textangle: 0,
        marker: { color: d.loyalty.levels.map(function (l) { return colors[l] || "#94a3b8"; }) },
      };
      GuanxiCharts.plot(loyal, [trace], { margin: margin, xaxis: { type: "category" }, yaxis: { title: { text: L.customers } }, showlegend: false });
    }
  }
})();
