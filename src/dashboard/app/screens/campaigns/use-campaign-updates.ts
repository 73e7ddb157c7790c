import { useEffect, useMemo } from 'react';
import { useLiveEvents } from '../../lib/live-events.tsx';
import { throttle } from '../../lib/use-resource.ts';

/**
 * Keeps campaign screens current: a refetch (at most once a second) on live progress events, and a
 * slow poll while a campaign is live, since the scheduler's own steps (planning, releasing) are not events.
 */
export function useCampaignUpdates(reload: () => void, isLive: boolean, campaignId?: string): void {
  const refresh = useMemo(() => throttle(reload, 1000), [reload]);
  useLiveEvents((event) => {
    if (event.type === 'resync') refresh();
    if (event.type === 'campaign-progress' && (!campaignId || event.campaignId === campaignId)) refresh();
  });
  useEffect(() => {
    if (!isLive) return;
    const timer = setInterval(refresh, 3000);
    return () => clearInterval(timer);
  }, [isLive, refresh]);
}
