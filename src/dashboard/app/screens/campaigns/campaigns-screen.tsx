export function CampaignsScreen() {
  return <div className="page">CampaignsScreen</div>;
}
