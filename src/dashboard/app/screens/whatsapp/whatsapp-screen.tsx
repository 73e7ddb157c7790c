export function WhatsAppScreen() {
  return <div className="page">WhatsAppScreen</div>;
}
