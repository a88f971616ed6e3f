// The dashboard: the last N days as the server computed them (in SQL): conversations per hour,
// first-response and queue-wait times, ratings. Charts are uPlot, fetched only here; each has
// an accessible name saying what it shows and a visually hidden table of its numbers.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Chart } from "./charts";
import type { Dashboard } from "./types";
import { Alert, Page, seconds, useLoad, when } from "./ui";

type Charts = typeof import("./charts");
let loading: Promise<Charts> | null = null;

/** uPlot, once: null until it has arrived. */
function useCharts(): [Charts | null, string | null] {
  const [charts, setCharts] = useState<Charts | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    loading = loading || import("./charts");
    loading.then(setCharts, () => {
      loading = null; // a later visit tries again
      setError("The charts could not be loaded: check the connection and reload the page.");
    });
  }, []);
  return [charts, error];
}

const DAYS = [1, 7, 14, 30];

export function DashboardPage() {
  const [days, setDays] = useState(7);
  const { data, error } = useLoad<Dashboard>(`/api/admin/dashboard?days=${days}`);
  const [charts, chartsError] = useCharts();
  // what the figures shown cover: the answer's own window, not the choice still on its way
  const shown = data ? Math.max(1, Math.round(data.hours.length / 24)) : days;
  const span = shown === 1 ? "the last day" : `the last ${shown} days`;
  return (
    <Page title="Dashboard">
      <div class="adm-form adm-inline">
        <label>
          <span>Period</span>
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {DAYS.map((d) => <option key={d} value={String(d)}>{d === 1 ? "Last day" : `Last ${d} days`}</option>)}
          </select>
        </label>
      </div>
      <Alert text={error || chartsError} />
      {!data && !error && <p role="status" class="adm-muted">Loading…</p>}
      {data && <Figures data={data} span={span} />}
      {data && <HoursSection data={data} span={span} charts={charts} />}
      {data && <RatingsSection data={data} charts={charts} />}
    </Page>
  );
}

function Figures({ data, span }: { data: Dashboard; span: string }) {
  const { totals, firstResponse, queueWait, ratings } = data;
  const cards: [string, string, string][] = [
    ["Conversations", String(totals.conversations), `${totals.ended} ended, ${totals.offline} offline messages`],
    ["Median first response", seconds(firstResponse.medianS), `over ${firstResponse.count} answered conversations`],
    ["p90 first response", seconds(firstResponse.p90S), "9 in 10 answered within this"],
    ["Median wait in queue", seconds(queueWait.medianS), `over ${queueWait.count} conversations taken from a queue`],
    ["Average rating", ratings.average === null ? "—" : `${ratings.average.toFixed(1)} / 5`,
      ratings.count === 1 ? "1 rating" : `${ratings.count} ratings`],
  ];
  return (
    <ul class="adm-cards" aria-label={`Figures of ${span}`}>
      {cards.map(([label, value, note]) => (
        <li key={label} class="adm-card">
          <span class="adm-card-label">{label}</span>
          <strong class="adm-card-value">{value}</strong>
          <span class="adm-card-note">{note}</span>
        </li>
      ))}
    </ul>
  );
}

/** A chart drawn by make() into a box named label, redrawn when data changes. */
function ChartBox(props: { label: string; make: ((el: HTMLElement) => Chart) | null; data: unknown }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || !props.make) return;
    const chart = props.make(box.current);
    return () => chart.destroy();
  }, [props.make !== null, props.data]);
  return <div ref={box} class="adm-chart" role="img" aria-label={props.label} />;
}

function HoursSection(props: { data: Dashboard; span: string; charts: Charts | null }) {
  const { hours, from, to } = props.data;
  const total = hours.reduce((n, h) => n + h.conversations, 0);
  const busiest = hours.reduce<(typeof hours)[number] | null>(
    (best, h) => (h.conversations > (best?.conversations ?? 0) ? h : best), null);
  const label = `Bar chart of conversations per hour from ${when(from)} to ${when(to)}: ${total} in all` +
    (busiest ? `, the busiest hour ${when(busiest.hour)} with ${busiest.conversations}.` : ".");
  const charts = props.charts;
  const busy = hours.filter((h) => h.conversations > 0);
  return (
    <section class="adm-panel" aria-labelledby="dash-hours">
      <h2 id="dash-hours">{`Conversations per hour, ${props.span}`}</h2>
      <ChartBox label={label} data={props.data} make={charts && ((el) => charts.hoursChart(el, hours))} />
      <div class="adm-sr">
        <table>
          <caption>Conversations per hour (hours with none left out)</caption>
          <thead><tr><th scope="col">Hour</th><th scope="col">Conversations</th></tr></thead>
          <tbody>
            {busy.map((h) => <tr key={h.hour}><th scope="row">{when(h.hour)}</th><td>{h.conversations}</td></tr>)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RatingsSection(props: { data: Dashboard; charts: Charts | null }) {
  const { ratings } = props.data;
  const stars = ["1", "2", "3", "4", "5"];
  const parts = stars.map((s) => `${s} star${s === "1" ? "" : "s"}: ${ratings.distribution[s] || 0}`);
  const label = `Bar chart of ${ratings.count} ratings by stars: ${parts.join(", ")}.`;
  const charts = props.charts;
  return (
    <section class="adm-panel" aria-labelledby="dash-ratings">
      <h2 id="dash-ratings">Ratings</h2>
      <ChartBox label={label} data={props.data}
        make={charts && ((el) => charts.ratingsChart(el, ratings.distribution))} />
      <div class="adm-sr">
        <table>
          <caption>Ratings by stars</caption>
          <thead><tr><th scope="col">Stars</th><th scope="col">Ratings</th></tr></thead>
          <tbody>
            {stars.map((s) => <tr key={s}><th scope="row">{s}</th><td>{ratings.distribution[s] || 0}</td></tr>)}
          </tbody>
        </table>
      </div>
    </section>
  );
}
