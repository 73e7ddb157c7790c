export function AnalyticsScreen() {
  return <div className="page">AnalyticsScreen</div>;
}
