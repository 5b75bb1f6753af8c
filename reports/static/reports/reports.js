// The dashboard's charts (ECharts; every element is a link to its records), the paragraph
// editor's figure palette; downloads with progress use app.js's data-download.
(() => {
  "use strict";

  // ------------------------------------------------------------------ charts
  const COLORS = ["#c8161d", "#e8743b", "#f2b134", "#5b8ff9", "#5ad8a6", "#6f5ef9", "#9aa0a6"];

  function option(d) {
    const unit = d.unit || "";
    const s = d.series || [];
    const tooltip = { trigger: "item", formatter: (p) => `${p.name}：${p.value}${unit}<br><span style="color:#888">点击查看记录</span>` };
    if (d.kind === "pie") {
      return {
        color: COLORS, tooltip,
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], name: s[0] ? s[0].name : "",
          label: { formatter: "{b}\n{c}" + unit },
          data: (s[0] ? s[0].points : []).map((p) => ({ name: p.label, value: p.value, url: p.url })) }],
      };
    }
    if (d.kind === "heatmap") {
      const pts = s[0] ? s[0].points : [];
      const xs = [...new Set(pts.map((p) => p.label))];
      const ys = [...new Set(pts.map((p) => p.y))];
      const max = Math.max(1, ...pts.map((p) => p.value));
      return {
        tooltip: { position: "top", formatter: (p) => `${ys[p.value[1]]}<br>${xs[p.value[0]]}：${p.value[2]}${unit}` },
        grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
        xAxis: { type: "category", data: xs, splitArea: { show: true } },
        yAxis: { type: "category", data: ys, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
        visualMap: { min: 0, max, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
          text: ["多", "无"], inRange: { color: ["#f1f8f4", "#ffc107", "#dc3545", "#8a0f13"] } },
        series: [{ type: "heatmap", name: s[0] ? s[0].name : "",
          data: pts.map((p) => ({ value: [xs.indexOf(p.label), ys.indexOf(p.y), p.value], url: p.url })),
          label: { show: true, formatter: (p) => (p.value[2] ? p.value[2] : "") },
          itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
      };
    }
    const labels = [...new Set(s.flatMap((x) => x.points.map((p) => p.label)))];
    const type = d.kind === "line" ? "line" : "bar";
    return {
      color: COLORS,
      tooltip: { trigger: "item", formatter: (p) => `${p.seriesName}<br>${p.name}：${p.value}${unit}<br><span style="color:#888">点击查看记录</span>` },
      legend: s.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 16, top: s.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: s.map((x) => ({
        type, name: x.name, stack: d.kind === "stacked_bar" ? "total" : undefined,
        symbolSize: 8, label: { show: type === "bar" && labels.length <= 12, position: "top" },
        data: labels.map((l) => { const p = x.points.find((q) => q.label === l); return p ? { value: p.value, url: p.url } : { value: 0 }; }),
      })),
    };
  }

  function initCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach((el) => {
      if (el.dataset.ready) return;
      const source = document.getElementById(el.dataset.chart);
      if (!source) return;
      const d = JSON.parse(source.textContent);
      const chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(d));
      chart.on("click", (p) => { if (p.data && p.data.url) window.location.href = p.data.url; });
      el.dataset.ready = "1";
      window.addEventListener("resize", () => chart.resize());
    });
  }
  document.addEventListener("DOMContentLoaded", () => initCharts(document));
  document.addEventListener("htmx:load", (e) => initCharts(e.target));

  // ------------------------------------------------------------------ the paragraph editor
  document.addEventListener("click", (event) => {
    const btn = event.target.closest(".pb-insert");
    if (!btn) return;
    const form = btn.closest("form");
    const area = form && form.querySelector("textarea[name=text]");
    if (!area) return;
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    area.value = area.value.slice(0, start) + btn.dataset.insert + area.value.slice(end);
    area.focus();
    area.selectionStart = area.selectionEnd = start + btn.dataset.insert.length;
  });
  // A saved paragraph raised the draft's version: the other forms on the page carry the new one.
  document.addEventListener("reportSaved", (event) => {
    const v = event.detail && event.detail.version;
    if (!v) return;
    document.querySelectorAll("input[name=version]").forEach((i) => { i.value = v; });
    document.querySelectorAll(".pb-version").forEach((e) => { e.textContent = v; });
  });
  // A panel that could not be loaded says so instead of spinning for ever.
  document.addEventListener("htmx:responseError", (event) => {
    const el = event.detail.elt;
    if (!el || !el.closest(".pb-area, #alerts-panel")) return;
    el.innerHTML = '<div class="text-danger small p-2"><i class="bi bi-exclamation-circle me-1"></i>加载失败（' +
      event.detail.xhr.status + '），请刷新页面重试；如仍失败请联系系统管理员。</div>';
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const area = event.target.querySelector && event.target.querySelector("textarea[name=text]");
    if (area) area.focus();
  });
})();
