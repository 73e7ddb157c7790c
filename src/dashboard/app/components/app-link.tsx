import type { AnchorHTMLAttributes } from 'react';
import { followLink } from '../lib/router.ts';

/** An <a> that navigates inside the app (and still opens a new tab on a modified click). */
export function AppLink({
  href,
  children,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return (
    <a href={href} onClick={followLink} {...rest}>
      {children}
    </a>
  );
}
