import { matchPath, useLocation } from '../../lib/router.ts';
import { ContactDetail } from './contact-detail.tsx';
import { ContactList } from './contact-list.tsx';

/** /contacts and /contacts/:id. */
export function ContactsScreen() {
  const { path } = useLocation();
  const id = matchPath('/contacts/:id', path)?.id;
  return id ? <ContactDetail key={id} contactId={id} /> : <ContactList />;
}
