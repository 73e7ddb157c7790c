export function SandboxScreen() {
  return <div className="page">SandboxScreen</div>;
}
