export function ContactsScreen() {
  return <div className="page">ContactsScreen</div>;
}
