import { Bar } from 'react-chartjs-2';
import { CHART_COLORS } from '../../components/charts/chart-setup.ts';
import { EmptyState } from '../../components/states.tsx';
import type { FunnelRow } from '../../lib/types.ts';

const FUNNEL_STEPS: Array<[keyof FunnelRow, string]> = [
  ['targeted', 'Targeted'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['read', 'Read'],
  ['replied', 'Replied'],
  ['qualified', 'Qualified'],
  ['converted', 'Converted'],
];

/** The funnel: how many contacts reached each step (a contact who read also counts as delivered and sent). */
export function FunnelChart({ funnel }: { funnel: FunnelRow }) {
  return (
    <div className="chart-box" data-testid="funnel-chart">
      <Bar
        aria-label="Campaign funnel"
        data={{
          labels: FUNNEL_STEPS.map(([, label]) => label),
          datasets: [
            {
              label: 'Contacts',
              data: FUNNEL_STEPS.map(([key]) => funnel[key] as number),
              backgroundColor: [
                CHART_COLORS.slate,
                CHART_COLORS.brand,
                CHART_COLORS.brand,
                CHART_COLORS.blue,
                CHART_COLORS.violet,
                CHART_COLORS.amber,
                CHART_COLORS.green,
              ],
              borderRadius: 6,
            },
          ],
        }}
        options={{
          indexAxis: 'y',
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
        }}
      />
    </div>
  );
}

export interface TimelinePoint {
  at: string;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
}

/** Sends over time, with deliveries, reads and replies, per time bucket. */
export function SendsOverTimeChart({ series, bucketMs }: { series: TimelinePoint[]; bucketMs: number }) {
  if (series.length === 0) {
    return (
      <EmptyState icon="chart" title="Nothing sent yet">
        The chart fills in as messages go out.
      </EmptyState>
    );
  }
  const isDaily = bucketMs >= 24 * 60 * 60_000;
  const label = (iso: string) =>
    new Date(iso).toLocaleString(
      undefined,
      isDaily ? { day: 'numeric', month: 'short' } : { hour: '2-digit', minute: '2-digit' },
    );
  // Bars, not lines: a campaign that went out within a minute is one bucket, and a line of one point is a dot.
  const dataset = (name: string, key: keyof TimelinePoint, color: string) => ({
    label: name,
    data: series.map((point) => point[key] as number),
    backgroundColor: color,
    borderRadius: 3,
    maxBarThickness: 28,
  });
  return (
    <div className="chart-box" data-testid="sends-chart">
      <Bar
        aria-label="Sends over time"
        data={{
          labels: series.map((point) => label(point.at)),
          datasets: [
            dataset('Sent', 'sent', CHART_COLORS.brand),
            dataset('Delivered', 'delivered', CHART_COLORS.slate),
            dataset('Read', 'read', CHART_COLORS.blue),
            dataset('Replied', 'replied', CHART_COLORS.violet),
          ],
        }}
        options={{
          animation: false,
          interaction: { mode: 'index', intersect: false },
          plugins: { legend: { position: 'bottom' } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } },
        }}
      />
    </div>
  );
}
