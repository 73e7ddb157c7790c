import { lazy, Suspense } from 'react';
import { AppLink } from '../../components/app-link.tsx';
import { Icon } from '../../components/icon.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { API_BASE, api } from '../../lib/api.ts';
import { formatDateTime, formatNumber, formatPercent, formatUsd, humanize } from '../../lib/format.ts';
import type { Campaign, Funnel } from '../../lib/types.ts';
import { useResource } from '../../lib/use-resource.ts';
import { CampaignActions } from './campaign-actions.tsx';
import type { TimelinePoint } from './campaign-charts.tsx';
import { CampaignProgress } from './campaign-progress.tsx';
import { CampaignStateBadge } from './campaign-state-badge.tsx';
import { useCampaignUpdates } from './use-campaign-updates.ts';

// Chart.js loads with this screen only, never with the inbox.
const FunnelChart = lazy(() =>
  import('./campaign-charts.tsx').then((module) => ({ default: module.FunnelChart })),
);
const SendsOverTimeChart = lazy(() =>
  import('./campaign-charts.tsx').then((module) => ({ default: module.SendsOverTimeChart })),
);

/** Meta's error codes operators meet most, in words (Cloud API error codes reference). */
const KNOWN_FAILURES: Record<number, string> = {
  131026: 'Not on WhatsApp, or cannot receive this message',
  131047: 'The 24-hour window had closed',
  131049: 'Meta held it back to keep engagement healthy',
  131050: 'The customer stopped marketing messages',
  131051: 'Unsupported message type',
  131053: 'Media could not be uploaded',
  132000: 'Template parameters did not match',
  132001: 'The template does not exist in this language',
  132015: 'The template is paused',
  132016: 'The template is disabled',
  130472: "Part of Meta's experiment: not sent",
  131042: 'Payment problem on the account',
  131056: 'Too many messages to this customer in a row',
  190: 'The access token is invalid',
};

/** One campaign: live progress and controls, the funnel, sends over time, failures by Meta's reason. */
export function CampaignDetail({ campaignId }: { campaignId: string }) {
  const campaign = useResource(() => api.get<Campaign>(`/campaigns/${campaignId}`), [campaignId]);
  const funnel = useResource(() => api.get<Funnel>(`/campaigns/${campaignId}/funnel`), [campaignId]);
  const timeline = useResource(
    () =>
      api.get<{ bucketMs: number; series: TimelinePoint[] }>(`/analytics/campaigns/${campaignId}/timeline`),
    [campaignId],
  );
  const isLive = campaign.data?.state === 'running' || campaign.data?.state === 'planning';
  // A draft has targeted no one yet: say how many its audience reaches now.
  const isDraft = campaign.data?.state === 'draft';
  const audienceCount = useResource(
    () =>
      isDraft
        ? api.get<{ matched: number; reachable: number }>(`/campaigns/${campaignId}/audience-count`)
        : Promise.resolve(null),
    [campaignId, isDraft],
  );
  useCampaignUpdates(
    () => {
      void campaign.reload();
      void funnel.reload();
      void timeline.reload();
    },
    isLive,
    campaignId,
  );

  if (campaign.isLoading) {
    return (
      <div className="page">
        <LoadingState rows={6} label="Loading the campaign" />
      </div>
    );
  }
  if (!campaign.data) {
    return (
      <div className="page">
        <ErrorState
          error={campaign.error}
          title="This campaign could not be loaded"
          onRetry={() => void campaign.reload()}
        />
      </div>
    );
  }
  const data = campaign.data;
  const total = funnel.data?.total;
  return (
    <div className="page">
      <PageHeader
        title={data.name}
        description={
          <>
            <CampaignStateBadge state={data.state} />{' '}
            {data.pauseReason ? (
              <span className="badge warn">Paused: {humanize(data.pauseReason)}</span>
            ) : null}{' '}
            Sending {data.sendingHours.from}–{data.sendingHours.until} local time
            {data.dailyCap ? `, at most ${formatNumber(data.dailyCap)} a day` : ''}
            {data.launchedAt ? ` · launched ${formatDateTime(data.launchedAt)}` : ''}
            {data.completedAt ? ` · completed ${formatDateTime(data.completedAt)}` : ''}
          </>
        }
        actions={
          <>
            <AppLink href="/campaigns" className="button ghost">
              <Icon name="back" size={16} /> All campaigns
            </AppLink>
            <CampaignActions campaign={data} onChanged={(updated) => campaign.setData(updated)} />
          </>
        }
      />
      <div className="stack">
        <section className="card" aria-label="Progress">
          <CampaignProgress campaign={data} draftReach={audienceCount.data?.reachable ?? null} />
        </section>
        {total ? (
          <section
            className="card grid-3"
            aria-label="Totals"
            style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(120px, 1fr))' }}
          >
            {data.state === 'draft' ? (
              <Stat
                label="Will reach"
                value={audienceCount.data ? formatNumber(audienceCount.data.reachable) : '…'}
                detail="at launch, if contacts stay as they are"
              />
            ) : (
              <Stat label="Targeted" value={formatNumber(total.targeted)} />
            )}
            <Stat
              label="Delivered"
              value={formatNumber(total.delivered)}
              detail={formatPercent(total.delivered, total.sent)}
            />
            <Stat
              label="Read"
              value={formatNumber(total.read)}
              detail={formatPercent(total.read, total.delivered)}
            />
            <Stat
              label="Replied"
              value={formatNumber(total.replied)}
              detail={formatPercent(total.replied, total.delivered)}
            />
            <Stat label="Qualified" value={formatNumber(total.qualified)} />
            <Stat label="Opted out" value={formatNumber(total.optedOut)} />
            <Stat
              label="Estimated cost"
              value={formatUsd(total.costUsd)}
              detail={`${formatNumber(total.billableMessages)} billable`}
            />
          </section>
        ) : null}
        <div className="grid-2">
          <section className="card" aria-label="Funnel">
            <div className="card-header">
              <h2>Funnel</h2>
              <a
                className="button small ghost"
                href={`${API_BASE}/campaigns/${campaignId}/funnel.csv`}
                download
              >
                <Icon name="download" size={14} /> CSV
              </a>
            </div>
            {funnel.error && !funnel.data ? (
              <ErrorState error={funnel.error} onRetry={() => void funnel.reload()} />
            ) : total ? (
              <Suspense fallback={<LoadingState rows={3} label="Loading the chart" />}>
                <FunnelChart funnel={total} />
              </Suspense>
            ) : (
              <LoadingState rows={3} />
            )}
          </section>
          <section className="card" aria-label="Sends over time">
            <div className="card-header">
              <h2>Sends over time</h2>
            </div>
            {timeline.error && !timeline.data ? (
              <ErrorState error={timeline.error} onRetry={() => void timeline.reload()} />
            ) : timeline.data ? (
              <Suspense fallback={<LoadingState rows={3} label="Loading the chart" />}>
                <SendsOverTimeChart series={timeline.data.series} bucketMs={timeline.data.bucketMs} />
              </Suspense>
            ) : (
              <LoadingState rows={3} />
            )}
          </section>
        </div>
        <section className="card" aria-label="Failures">
          <div className="card-header">
            <h2>Failures by Meta's reason</h2>
            <a
              className="button small ghost"
              href={`${API_BASE}/campaigns/${campaignId}/contacts.csv`}
              download
            >
              <Icon name="download" size={14} /> Contacts CSV
            </a>
          </div>
          {!total ? (
            <LoadingState rows={2} />
          ) : total.failedByReason.length === 0 ? (
            <EmptyState icon="check" title="No failures">
              Messages Meta refuses or cannot deliver are grouped here by Meta's error code.
            </EmptyState>
          ) : (
            <div className="failure-list" data-testid="failures">
              {total.failedByReason.map((failure) => (
                <div key={`${failure.code}-${failure.reason}`} className="failure-row">
                  <span className="badge danger">{failure.code ?? 'no code'}</span>
                  <span>
                    <strong>
                      {(failure.code !== null ? KNOWN_FAILURES[failure.code] : null) ??
                        failure.reason ??
                        'Unknown reason'}
                    </strong>
                    {failure.reason && failure.code !== null && KNOWN_FAILURES[failure.code] ? (
                      <span className="small muted"> · {failure.reason}</span>
                    ) : null}
                  </span>
                  <span>
                    {formatNumber(failure.count)}{' '}
                    <span className="muted small">({formatPercent(failure.count, total.targeted)})</span>
                  </span>
                </div>
              ))}
            </div>
          )}
        </section>
        {funnel.data && funnel.data.variants.length > 1 ? (
          <section className="card flush" aria-label="Variants">
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th>Variant</th>
                    <th>Targeted</th>
                    <th>Sent</th>
                    <th>Read</th>
                    <th>Replied</th>
                    <th>Qualified</th>
                    <th>Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {funnel.data.variants.map((variant) => (
                    <tr key={variant.variant}>
                      <td>{variant.variant}</td>
                      <td>{formatNumber(variant.targeted)}</td>
                      <td>{formatNumber(variant.sent)}</td>
                      <td>{formatPercent(variant.read, variant.sent)}</td>
                      <td>{formatPercent(variant.replied, variant.sent)}</td>
                      <td>{formatNumber(variant.qualified)}</td>
                      <td>{formatNumber(variant.failed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
      </div>
    </div>
  );
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="stat">
      <span>{label}</span>
      <strong>{value}</strong>
      {detail ? <span>{detail}</span> : null}
    </div>
  );
}
