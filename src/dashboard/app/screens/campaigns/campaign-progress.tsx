import { ProgressBar } from '../../components/progress-bar.tsx';
import { formatNumber, humanize } from '../../lib/format.ts';
import { type Campaign, processedCount } from '../../lib/types.ts';

const SHOWN_STATES = [
  'sent',
  'delivered',
  'read',
  'replied',
  'qualified',
  'converted',
  'opted_out',
  'failed',
];

/** How far a campaign got: contacts reached (or settled) out of those targeted, and the count in each state. */
export function CampaignProgress({
  campaign,
  isCompact = false,
  draftReach = null,
}: {
  campaign: Campaign;
  isCompact?: boolean;
  /** A draft's audience, counted now: it has targeted no one until it is launched. */
  draftReach?: number | null;
}) {
  const targeted = campaign.progress.targeted;
  const processed = processedCount(campaign);
  const isPlanning = campaign.state === 'planning' || (campaign.state === 'running' && targeted === 0);
  const tone = campaign.state === 'completed' ? 'done' : campaign.state === 'paused' ? 'paused' : undefined;
  return (
    <div className="stack tight">
      <ProgressBar
        value={campaign.state === 'draft' ? 0 : isPlanning ? null : processed}
        max={Math.max(targeted, 1)}
        label={`Progress of ${campaign.name}`}
        tone={tone}
        detail={
          campaign.state === 'draft'
            ? draftReach === null
              ? 'Not launched yet'
              : `Not launched yet: will reach ${formatNumber(draftReach)} contact${draftReach === 1 ? '' : 's'}`
            : isPlanning
              ? 'Planning the audience…'
              : `${formatNumber(processed)} of ${formatNumber(targeted)} contacts reached`
        }
      />
      {!isCompact && targeted > 0 ? (
        <div className="row wrap small muted">
          {SHOWN_STATES.filter((state) => (campaign.progress.byState[state] ?? 0) > 0).map((state) => (
            <span key={state} className="badge">
              {humanize(state)} {formatNumber(campaign.progress.byState[state]!)}
            </span>
          ))}
          {(campaign.progress.byState.queued ?? 0) > 0 ? (
            <span className="badge">Waiting {formatNumber(campaign.progress.byState.queued!)}</span>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
