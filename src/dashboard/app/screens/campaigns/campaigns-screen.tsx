import { matchPath, useLocation } from '../../lib/router.ts';
import { CampaignDetail } from './campaign-detail.tsx';
import { CampaignList } from './campaign-list.tsx';
import { CampaignWizard } from './campaign-wizard.tsx';

/** /campaigns, /campaigns/new and /campaigns/:id. */
export function CampaignsScreen() {
  const { path } = useLocation();
  if (path === '/campaigns/new') return <CampaignWizard />;
  const id = matchPath('/campaigns/:id', path)?.id;
  if (id) return <CampaignDetail key={id} campaignId={id} />;
  return <CampaignList />;
}
