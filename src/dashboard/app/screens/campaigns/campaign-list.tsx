import { AppLink } from '../../components/app-link.tsx';
import { Icon } from '../../components/icon.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api } from '../../lib/api.ts';
import { formatDateTime, humanize } from '../../lib/format.ts';
import type { Campaign } from '../../lib/types.ts';
import { useResource } from '../../lib/use-resource.ts';
import { CampaignActions } from './campaign-actions.tsx';
import { CampaignProgress } from './campaign-progress.tsx';
import { CampaignStateBadge } from './campaign-state-badge.tsx';
import { useCampaignUpdates } from './use-campaign-updates.ts';

/** Every campaign with its live progress and controls. */
export function CampaignList() {
  const campaigns = useResource(() => api.get<{ data: Campaign[] }>('/campaigns'), []);
  const list = campaigns.data?.data ?? [];
  useCampaignUpdates(
    () => void campaigns.reload(),
    list.some((campaign) => campaign.state === 'running' || campaign.state === 'planning'),
  );
  const replace = (updated: Campaign) =>
    campaigns.setData((previous) => ({
      data: (previous?.data ?? []).map((campaign) => (campaign.id === updated.id ? updated : campaign)),
    }));

  return (
    <div className="page">
      <PageHeader
        title="Campaigns"
        description="Reach consenting contacts with an approved template, within sending hours and the number's limits. The agent answers every reply."
        actions={
          <AppLink href="/campaigns/new" className="button primary">
            <Icon name="plus" size={16} /> New campaign
          </AppLink>
        }
      />
      {campaigns.isLoading ? (
        <div className="card">
          <LoadingState rows={4} label="Loading campaigns" />
        </div>
      ) : campaigns.error && !campaigns.data ? (
        <div className="card">
          <ErrorState
            error={campaigns.error}
            title="Campaigns could not be loaded"
            onRetry={() => void campaigns.reload()}
          />
        </div>
      ) : list.length === 0 ? (
        <div className="card">
          <EmptyState
            icon="campaign"
            title="No campaigns yet"
            action={
              <AppLink href="/campaigns/new" className="button primary">
                <Icon name="plus" size={16} /> Create your first campaign
              </AppLink>
            }
          >
            Import contacts, pick an approved template and map its parameters. Coxcox paces the sends and the
            agent takes every reply.
          </EmptyState>
        </div>
      ) : (
        <div className="stack">
          {list.map((campaign) => (
            <article key={campaign.id} className="card campaign-card" data-campaign-id={campaign.id}>
              <div className="campaign-title">
                <AppLink href={`/campaigns/${campaign.id}`}>{campaign.name}</AppLink>
                <CampaignStateBadge state={campaign.state} />
                {campaign.pauseReason ? (
                  <span className="badge warn">Paused: {humanize(campaign.pauseReason)}</span>
                ) : null}
                <span className="spacer" />
                <span className="small muted">
                  {campaign.launchedAt
                    ? `Launched ${formatDateTime(campaign.launchedAt)}`
                    : `Created ${formatDateTime(campaign.createdAt)}`}
                </span>
              </div>
              <CampaignProgress campaign={campaign} />
              <CampaignActions campaign={campaign} onChanged={replace} />
            </article>
          ))}
        </div>
      )}
    </div>
  );
}
