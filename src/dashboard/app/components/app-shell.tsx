import { type ReactNode, useState } from 'react';
import { useLiveState } from '../lib/live-events.tsx';
import { useLocation } from '../lib/router.ts';
import { useSession } from '../lib/session.ts';
import { AppLink } from './app-link.tsx';
import { CompanySwitcher } from './company-switcher.tsx';
import { Icon, type IconName } from './icon.tsx';

interface NavItem {
  href: string;
  label: string;
  icon: IconName;
}

const NAV: NavItem[] = [
  { href: '/inbox', label: 'Inbox', icon: 'inbox' },
  { href: '/campaigns', label: 'Campaigns', icon: 'campaign' },
  { href: '/contacts', label: 'Contacts', icon: 'contacts' },
  { href: '/agent', label: 'Agent', icon: 'agent' },
  { href: '/analytics', label: 'Analytics', icon: 'chart' },
  { href: '/whatsapp', label: 'WhatsApp', icon: 'whatsapp' },
  { href: '/sandbox', label: 'Sandbox', icon: 'sandbox' },
  { href: '/team', label: 'Team', icon: 'team' },
];
/** A phone's tab bar holds four sections and "More". */
const TAB_COUNT = 4;

const LIVE_LABEL = { open: 'Live', connecting: 'Reconnecting…', closed: 'Offline' } as const;

/** The frame of every signed-in screen: a sidebar on a laptop, a top bar and a tab bar on a phone. */
export function AppShell({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const { path } = useLocation();
  const liveState = useLiveState();
  const [isMoreOpen, setIsMoreOpen] = useState(false);
  const items = NAV;
  const isCurrent = (href: string) => path === href || path.startsWith(`${href}/`);
  const current = items.find((item) => isCurrent(item.href));

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Sections">
        <div className="brand">
          <span className="brand-mark">
            <Icon name="whatsapp" size={18} />
          </span>
          Coxcox
        </div>
        <CompanySwitcher />
        {items.map((item) => (
          <AppLink
            key={item.href}
            href={item.href}
            className="nav-link"
            aria-current={isCurrent(item.href) ? 'page' : undefined}
          >
            <Icon name={item.icon} size={18} />
            {item.label}
          </AppLink>
        ))}
        <div className="sidebar-footer">
          <span className="live-dot" data-state={liveState}>
            {LIVE_LABEL[liveState]}
          </span>
          <div>
            <div className="who" title={session.user.email}>
              {session.user.name}
            </div>
            <div className="small">
              {session.tenant.name} · {session.operator ? 'operator' : session.user.role}
            </div>
          </div>
          <button
            type="button"
            className="button small ghost"
            style={{ color: 'inherit', justifyContent: 'flex-start' }}
            onClick={() => void signOut()}
          >
            <Icon name="signOut" size={16} /> Sign out
          </button>
        </div>
      </nav>

      <div className="mobile-bar">
        <span className="brand-mark">
          <Icon name="whatsapp" size={16} />
        </span>
        <span className="spacer">{current?.label ?? 'Coxcox'}</span>
        <span className="live-dot" data-state={liveState}>
          {LIVE_LABEL[liveState]}
        </span>
      </div>

      <main className="main">{children}</main>

      <nav className="tab-bar" aria-label="Sections">
        {items.slice(0, TAB_COUNT).map((item) => (
          <AppLink
            key={item.href}
            href={item.href}
            aria-current={isCurrent(item.href) ? 'page' : undefined}
            onClickCapture={() => setIsMoreOpen(false)}
          >
            <Icon name={item.icon} size={20} />
            {item.label}
          </AppLink>
        ))}
        <button type="button" onClick={() => setIsMoreOpen((open) => !open)} aria-expanded={isMoreOpen}>
          <Icon name="more" size={20} />
          More
        </button>
      </nav>
      {isMoreOpen ? (
        <div className="more-menu">
          <CompanySwitcher className="in-menu" />
          {items.slice(TAB_COUNT).map((item) => (
            <AppLink key={item.href} href={item.href} onClickCapture={() => setIsMoreOpen(false)}>
              <Icon name={item.icon} size={18} /> {item.label}
            </AppLink>
          ))}
          <button type="button" onClick={() => void signOut()}>
            <Icon name="signOut" size={18} /> Sign out
            {session.user.email ? ` (${session.user.email})` : ' (operator)'}
          </button>
        </div>
      ) : null}
    </div>
  );
}
