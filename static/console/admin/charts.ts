// The dashboard's uPlot charts. Only dashboard.tsx imports this module, and only dynamically,
// so uPlot (and its stylesheet) is fetched by the dashboard page alone.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Chart {
  destroy(): void;
}

const HEIGHT = 220;
const BAR = "rgba(37, 99, 235, 0.75)";
const LINE = "#1d4ed8";

/** Counts on the y axis: whole steps only. */
const countAxis: uPlot.Axis = { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] };
/** From 0, with a little room above the tallest bar. */
const fromZero: uPlot.Scale = { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] };

/** Draws opts into el at its width, and follows el's width while it lives. */
function mount(el: HTMLElement, opts: Omit<uPlot.Options, "width" | "height">, data: uPlot.AlignedData): Chart {
  const width = () => Math.max(280, el.clientWidth);
  const plot = new uPlot({ ...opts, width: width(), height: HEIGHT }, data, el);
  const observer = new ResizeObserver(() => {
    if (plot.width !== width()) plot.setSize({ width: width(), height: HEIGHT });
  });
  observer.observe(el);
  return {
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}

/** Conversations per hour, as bars along a time axis (the reader's local time). */
export function hoursChart(el: HTMLElement, hours: { hour: string; conversations: number }[]): Chart {
  const xs = hours.map((h) => Date.parse(h.hour) / 1000);
  const ys = hours.map((h) => h.conversations);
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.9, 24], align: 1 }) : undefined;
  return mount(el, {
    scales: { y: fromZero },
    axes: [{}, countAxis],
    series: [
      { label: "Hour" },
      // a month of hours leaves bars a pixel or two wide: outlines would hide the fill
      { label: "Conversations", stroke: LINE, fill: BAR, width: hours.length > 200 ? 0 : 1, paths: bars,
        points: { show: false } },
    ],
  }, [xs, ys]);
}

/** How many ratings of 1 to 5 stars, as five bars. */
export function ratingsChart(el: HTMLElement, distribution: Record<string, number>): Chart {
  const stars = [1, 2, 3, 4, 5];
  const counts = stars.map((s) => distribution[String(s)] || 0);
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 60] }) : undefined;
  return mount(el, {
    scales: { x: { time: false, range: [0.5, 5.5] }, y: fromZero },
    axes: [
      { splits: () => stars, values: (_u, splits) => splits.map((s) => `${s} ★`) },
      countAxis,
    ],
    legend: { show: false },
    cursor: { show: false },
    series: [{}, { label: "Ratings", stroke: LINE, fill: BAR, width: 1, paths: bars, points: { show: false } }],
  }, [stars, counts]);
}
