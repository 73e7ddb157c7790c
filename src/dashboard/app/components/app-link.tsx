import type { AnchorHTMLAttributes } from 'react';
import { followLink } from '../lib/router.ts';

/** An <a> that navigates inside the app (and still opens a new tab on a modified click). */
export function AppLink(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return <a {...props} onClick={followLink} />;
}
