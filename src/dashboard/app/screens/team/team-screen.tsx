export function TeamScreen() {
  return <div className="page">TeamScreen</div>;
}
