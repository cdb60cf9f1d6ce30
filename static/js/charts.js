// Line charts on lightweight-charts (global LightweightCharts, vendored). Points arrive one
// at a time from the stream; a chart keeps them sorted by time and draws in animation frames.
const LC = window.LightweightCharts;

const PALETTE = ["#1f6feb", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2", "#4b5563"];

/** A chart in `el` holding named line series; `add(series, time, value)` appends a point. */
export function liveChart(el, { percent = false, area = false } = {}) {
  const chart = LC.createChart(el, {
    autoSize: true,
    layout: { background: { color: "#ffffff" }, textColor: "#334155", fontSize: 11 },
    grid: { vertLines: { color: "#f1f5f9" }, horzLines: { color: "#f1f5f9" } },
    timeScale: { timeVisible: true, secondsVisible: false },
    rightPriceScale: { borderVisible: false },
    localization: percent ? { priceFormatter: (v) => `${v.toFixed(2)}%` } : undefined,
  });
  const empty = document.createElement("div");
  empty.className = "chart-empty";
  empty.textContent = "No data yet";
  el.append(empty);
  el.dataset.points = "0";
  const series = new Map(); // name -> {api, points: [{time, value}], drawn}
  let scheduled = false;

  const get = (name) => {
    if (!series.has(name)) {
      const color = PALETTE[series.size % PALETTE.length];
      // The first series owns the right axis; the others (Strategy Equity's "Return", a
      // plot()'s second series) get the left one, so different units never squash each other.
      const first = series.size === 0;
      if (!first) chart.applyOptions({ leftPriceScale: { visible: true, borderVisible: false } });
      const options = { lineWidth: 2, title: name, priceScaleId: first ? "right" : "left" };
      const api = area && first
        ? chart.addSeries(LC.AreaSeries, { ...options, lineColor: color, topColor: `${color}55`, bottomColor: `${color}08` })
        : chart.addSeries(LC.LineSeries, { ...options, color });
      series.set(name, { api, points: [], drawn: 0, reset: false });
    }
    return series.get(name);
  };

  function flush() {
    scheduled = false;
    let total = 0;
    let fit = false;
    for (const s of series.values()) {
      if (s.reset || (s.drawn === 0 && s.points.length > 1)) {
        s.api.setData(s.points);
        s.reset = false;
        fit = true;
      } else {
        for (let i = Math.max(s.drawn - 1, 0); i < s.points.length; i++) s.api.update(s.points[i]);
      }
      s.drawn = s.points.length;
      total += s.points.length;
    }
    if (fit) chart.timeScale().fitContent(); // a replayed history: show all of it
    el.dataset.points = String(total);
    empty.classList.toggle("hidden", total > 0);
  }

  return {
    add(name, time, value) {
      if (!Number.isFinite(time) || !Number.isFinite(value)) return;
      const s = get(name);
      const pts = s.points;
      const last = pts[pts.length - 1];
      const point = { time: Math.floor(time), value };
      if (!last || point.time > last.time) pts.push(point);
      else if (point.time === last.time) { pts[pts.length - 1] = point; s.drawn = Math.min(s.drawn, pts.length - 1); }
      else { // out of order (rare: a replay overlapping the tail) -> insert and redraw
        const i = pts.findIndex((p) => p.time >= point.time);
        if (pts[i].time === point.time) pts[i] = point; else pts.splice(i, 0, point);
        s.reset = true;
      }
      if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
    },
    clear() {
      for (const s of series.values()) chart.removeSeries(s.api);
      series.clear();
      el.dataset.points = "0";
      empty.classList.remove("hidden");
    },
    count: () => [...series.values()].reduce((n, s) => n + s.points.length, 0),
    chart,
  };
}
