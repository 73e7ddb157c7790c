import { humanize } from '../../lib/format.ts';

const TONES: Record<string, string> = {
  draft: '',
  planning: 'info',
  running: 'brand',
  paused: 'warn',
  completed: 'ok',
  cancelled: 'danger',
};

export function CampaignStateBadge({ state }: { state: string }) {
  return (
    <span className={`badge ${TONES[state] ?? ''}`} data-testid="campaign-state">
      {humanize(state)}
    </span>
  );
}
