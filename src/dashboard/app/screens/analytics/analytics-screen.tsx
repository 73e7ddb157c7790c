import { Bar, Doughnut } from 'react-chartjs-2';
import { CHART_COLORS } from '../../components/charts/chart-setup.ts';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api } from '../../lib/api.ts';
import { formatNumber, humanize } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';

interface Overview {
  days: Array<{ day: string; inbound: number; outbound: number }>;
  owners: Record<string, number>;
  outcomes: Array<{ outcome: string; count: number }>;
  needsAttention: number;
}

const OUTCOME_COLORS = [
  CHART_COLORS.green,
  CHART_COLORS.brand,
  CHART_COLORS.blue,
  CHART_COLORS.violet,
  CHART_COLORS.amber,
  CHART_COLORS.red,
  CHART_COLORS.slate,
];

/** What the agent and the team did: messages per day, who answers, and how conversations ended. */
export function AnalyticsScreen() {
  const overview = useResource(() => api.get<Overview>('/analytics/overview?days=14'), []);
  if (overview.isLoading) {
    return (
      <div className="page">
        <LoadingState rows={6} label="Loading analytics" />
      </div>
    );
  }
  if (!overview.data) {
    return (
      <div className="page">
        <ErrorState error={overview.error} onRetry={() => void overview.reload()} />
      </div>
    );
  }
  const data = overview.data;
  const totalIn = data.days.reduce((sum, day) => sum + day.inbound, 0);
  const totalOut = data.days.reduce((sum, day) => sum + day.outbound, 0);
  const conversations = Object.values(data.owners).reduce((sum, count) => sum + count, 0);
  return (
    <div className="page">
      <PageHeader
        title="Analytics"
        description="The last 14 days. Campaign funnels are on each campaign's page."
      />
      <div className="stack">
        <section
          className="card grid-3"
          style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(140px, 1fr))' }}
        >
          <div className="stat">
            <span>Messages received</span>
            <strong>{formatNumber(totalIn)}</strong>
          </div>
          <div className="stat">
            <span>Messages sent</span>
            <strong>{formatNumber(totalOut)}</strong>
          </div>
          <div className="stat">
            <span>Conversations</span>
            <strong>{formatNumber(conversations)}</strong>
          </div>
          <div className="stat">
            <span>Answered by the AI</span>
            <strong>{formatNumber(data.owners.agent ?? 0)}</strong>
          </div>
          <div className="stat">
            <span>With a person</span>
            <strong>{formatNumber(data.owners.human ?? 0)}</strong>
          </div>
          <div className="stat">
            <span>Need attention</span>
            <strong>{formatNumber(data.needsAttention)}</strong>
          </div>
        </section>
        {conversations === 0 && totalIn + totalOut === 0 ? (
          <div className="card">
            <EmptyState icon="chart" title="No activity yet">
              Charts fill in as customers write and campaigns go out.
            </EmptyState>
          </div>
        ) : (
          <div className="grid-2">
            <section className="card" aria-label="Messages per day">
              <h2 style={{ marginBottom: 10 }}>Messages per day</h2>
              <div className="chart-box">
                <Bar
                  data={{
                    labels: data.days.map((day) =>
                      new Date(`${day.day}T00:00:00Z`).toLocaleDateString(undefined, {
                        day: 'numeric',
                        month: 'short',
                      }),
                    ),
                    datasets: [
                      {
                        label: 'Received',
                        data: data.days.map((day) => day.inbound),
                        backgroundColor: CHART_COLORS.blue,
                        borderRadius: 4,
                      },
                      {
                        label: 'Sent',
                        data: data.days.map((day) => day.outbound),
                        backgroundColor: CHART_COLORS.brand,
                        borderRadius: 4,
                      },
                    ],
                  }}
                  options={{
                    animation: false,
                    plugins: { legend: { position: 'bottom' } },
                    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
                  }}
                />
              </div>
            </section>
            <section className="card" aria-label="Outcomes">
              <h2 style={{ marginBottom: 10 }}>Outcomes</h2>
              <div className="chart-box">
                <Doughnut
                  data={{
                    labels: data.outcomes.map((row) =>
                      row.outcome === 'none' ? 'No outcome yet' : humanize(row.outcome),
                    ),
                    datasets: [
                      {
                        data: data.outcomes.map((row) => row.count),
                        // "No outcome yet" is grey; outcomes take the palette in turn.
                        backgroundColor: data.outcomes.map((row, index) =>
                          row.outcome === 'none'
                            ? CHART_COLORS.slate
                            : OUTCOME_COLORS[index % OUTCOME_COLORS.length]!,
                        ),
                      },
                    ],
                  }}
                  options={{ animation: false, plugins: { legend: { position: 'right' } } }}
                />
              </div>
            </section>
          </div>
        )}
      </div>
    </div>
  );
}
