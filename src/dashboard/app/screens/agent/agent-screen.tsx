export function AgentScreen() {
  return <div className="page">AgentScreen</div>;
}
