import { Icon } from '../../components/icon.tsx';
import { humanize } from '../../lib/format.ts';

export interface InboxFilter {
  owner: 'agent' | 'human' | null;
  needsAttention: boolean;
  campaignId: string | null;
  outcome: string | null;
  q: string;
}

export const NO_FILTER: InboxFilter = {
  owner: null,
  needsAttention: false,
  campaignId: null,
  outcome: null,
  q: '',
};

/** Search, owner (AI or human), needs attention, campaign and outcome. */
export function InboxFilters({
  filter,
  onChange,
  campaigns,
  outcomes,
}: {
  filter: InboxFilter;
  onChange: (filter: InboxFilter) => void;
  campaigns: Array<{ id: string; name: string }>;
  outcomes: string[];
}) {
  const chip = (label: string, isPressed: boolean, next: Partial<InboxFilter>) => (
    <button
      type="button"
      className="chip"
      aria-pressed={isPressed}
      onClick={() => onChange({ ...filter, ...next })}
    >
      {label}
    </button>
  );
  return (
    <>
      <div className="row" style={{ position: 'relative' }}>
        <span style={{ position: 'absolute', left: 10, color: 'var(--ink-3)', display: 'flex' }}>
          <Icon name="search" size={16} />
        </span>
        <input
          className="input"
          type="search"
          placeholder="Search name or number"
          aria-label="Search conversations"
          value={filter.q}
          onChange={(event) => onChange({ ...filter, q: event.target.value })}
          style={{ paddingLeft: 32 }}
        />
      </div>
      <div className="filter-chips" role="toolbar" aria-label="Filters">
        {chip('All', filter.owner === null && !filter.needsAttention, { owner: null, needsAttention: false })}
        {chip('AI', filter.owner === 'agent', { owner: filter.owner === 'agent' ? null : 'agent' })}
        {chip('Human', filter.owner === 'human', { owner: filter.owner === 'human' ? null : 'human' })}
        {chip('Needs attention', filter.needsAttention, { needsAttention: !filter.needsAttention })}
      </div>
      <div className="row">
        <select
          className="input"
          aria-label="Campaign"
          value={filter.campaignId ?? ''}
          onChange={(event) => onChange({ ...filter, campaignId: event.target.value || null })}
        >
          <option value="">All campaigns</option>
          {campaigns.map((campaign) => (
            <option key={campaign.id} value={campaign.id}>
              {campaign.name}
            </option>
          ))}
        </select>
        <select
          className="input"
          aria-label="Outcome"
          value={filter.outcome ?? ''}
          onChange={(event) => onChange({ ...filter, outcome: event.target.value || null })}
        >
          <option value="">Any outcome</option>
          <option value="none">No outcome yet</option>
          {outcomes.map((outcome) => (
            <option key={outcome} value={outcome}>
              {humanize(outcome)}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}
