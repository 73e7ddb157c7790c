import { useState } from 'react';
import { Icon } from '../../components/icon.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { Campaign } from '../../lib/types.ts';

/** Launch, pause, resume and cancel, as the campaign's state allows. */
export function CampaignActions({
  campaign,
  onChanged,
}: {
  campaign: Campaign;
  onChanged: (campaign: Campaign) => void;
}) {
  const [isBusy, setIsBusy] = useState(false);
  const toast = useToast();
  const act = async (action: 'launch' | 'pause' | 'resume' | 'cancel') => {
    if (
      action === 'cancel' &&
      !window.confirm(`Cancel “${campaign.name}” for good? Nothing more will be sent.`)
    )
      return;
    setIsBusy(true);
    try {
      onChanged(await api.post<Campaign>(`/campaigns/${campaign.id}/${action}`));
    } catch (error) {
      toast(errorMessage(error), 'error');
    } finally {
      setIsBusy(false);
    }
  };
  const isLive = campaign.state === 'running' || campaign.state === 'planning';
  return (
    <div className="row wrap">
      {campaign.state === 'draft' ? (
        <button type="button" className="button primary" disabled={isBusy} onClick={() => void act('launch')}>
          <Icon name="play" size={16} /> Launch
        </button>
      ) : null}
      {isLive ? (
        <button type="button" className="button" disabled={isBusy} onClick={() => void act('pause')}>
          <Icon name="pause" size={16} /> Pause
        </button>
      ) : null}
      {campaign.state === 'paused' ? (
        <button type="button" className="button primary" disabled={isBusy} onClick={() => void act('resume')}>
          <Icon name="play" size={16} /> Resume
        </button>
      ) : null}
      {isLive || campaign.state === 'paused' || campaign.state === 'draft' ? (
        <button type="button" className="button danger" disabled={isBusy} onClick={() => void act('cancel')}>
          <Icon name="stop" size={16} /> Cancel
        </button>
      ) : null}
    </div>
  );
}
