import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { AppShell } from './components/app-shell.tsx';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { ErrorState, LoadingState } from './components/states.tsx';
import { ApiError, api, SESSION_ENDED_EVENT } from './lib/api.ts';
import { LiveEventsProvider } from './lib/live-events.tsx';
import { navigate, useLocation } from './lib/router.ts';
import { type Session, SessionContext } from './lib/session.ts';
import { ToastProvider } from './lib/toasts.tsx';
import { SessionScreen } from './screens/session/session-screen.tsx';

// Each section is its own chunk: the inbox loads without the charts, the wizard or the playground.
const InboxScreen = lazy(() =>
  import('./screens/inbox/inbox-screen.tsx').then((module) => ({ default: module.InboxScreen })),
);
const CampaignsScreen = lazy(() =>
  import('./screens/campaigns/campaigns-screen.tsx').then((module) => ({ default: module.CampaignsScreen })),
);
const ContactsScreen = lazy(() =>
  import('./screens/contacts/contacts-screen.tsx').then((module) => ({ default: module.ContactsScreen })),
);
const AgentScreen = lazy(() =>
  import('./screens/agent/agent-screen.tsx').then((module) => ({ default: module.AgentScreen })),
);
const WhatsAppScreen = lazy(() =>
  import('./screens/whatsapp/whatsapp-screen.tsx').then((module) => ({ default: module.WhatsAppScreen })),
);
const SandboxScreen = lazy(() =>
  import('./screens/sandbox/sandbox-screen.tsx').then((module) => ({ default: module.SandboxScreen })),
);
const TeamScreen = lazy(() =>
  import('./screens/team/team-screen.tsx').then((module) => ({ default: module.TeamScreen })),
);
const AnalyticsScreen = lazy(() =>
  import('./screens/analytics/analytics-screen.tsx').then((module) => ({ default: module.AnalyticsScreen })),
);

const SECTIONS = [
  { prefix: '/inbox', Screen: InboxScreen },
  { prefix: '/campaigns', Screen: CampaignsScreen },
  { prefix: '/contacts', Screen: ContactsScreen },
  { prefix: '/agent', Screen: AgentScreen },
  { prefix: '/whatsapp', Screen: WhatsAppScreen },
  { prefix: '/sandbox', Screen: SandboxScreen },
  { prefix: '/team', Screen: TeamScreen },
  { prefix: '/analytics', Screen: AnalyticsScreen },
];

const NEXT_PATH_KEY = 'coxcox:next-path';

type Boot =
  | { kind: 'loading' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'signed-out'; isSetupNeeded: boolean; hasDefaultTenant?: boolean }
  | { kind: 'signed-in'; session: Session };

/** Finds out who is here (a session, or the first run), then shows sign-in or the app. */
export function App() {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const { path } = useLocation();

  const load = useCallback(async () => {
    try {
      setBoot({ kind: 'signed-in', session: await api.get<Session>('/session') });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) {
        setBoot({ kind: 'failed', error });
        return;
      }
      try {
        const setup = await api.get<{ isNeeded: boolean; hasDefaultTenant: boolean }>('/setup');
        setBoot({
          kind: 'signed-out',
          isSetupNeeded: setup.isNeeded,
          hasDefaultTenant: setup.hasDefaultTenant,
        });
      } catch (setupError) {
        setBoot({ kind: 'failed', error: setupError });
      }
    }
  }, []);

  useEffect(() => {
    void load();
    const onEnded = () => setBoot({ kind: 'signed-out', isSetupNeeded: false });
    window.addEventListener(SESSION_ENDED_EVENT, onEnded);
    return () => window.removeEventListener(SESSION_ENDED_EVENT, onEnded);
  }, [load]);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/session');
    } finally {
      setBoot({ kind: 'signed-out', isSetupNeeded: false });
      navigate('/sign-in');
    }
  }, []);

  const isSignedIn = boot.kind === 'signed-in';
  useEffect(() => {
    // A deep link opened while signed out is where the user lands after signing in.
    if (isSignedIn && (path === '/' || path === '/sign-in' || path === '/welcome')) {
      const next = sessionStorage.getItem(NEXT_PATH_KEY);
      sessionStorage.removeItem(NEXT_PATH_KEY);
      navigate(next ?? '/inbox', { replace: true });
    }
    if (!isSignedIn && boot.kind === 'signed-out') {
      const expected = boot.isSetupNeeded ? '/welcome' : '/sign-in';
      if (path !== expected) {
        if (path !== '/' && path !== '/sign-in' && path !== '/welcome')
          sessionStorage.setItem(NEXT_PATH_KEY, path);
        navigate(expected, { replace: true });
      }
    }
  }, [isSignedIn, boot, path]);

  const sessionValue = useMemo(
    () => (boot.kind === 'signed-in' ? { session: boot.session, signOut } : null),
    [boot, signOut],
  );

  if (boot.kind === 'loading') {
    return (
      <div className="auth-page">
        <div className="auth-card">
          <LoadingState rows={3} label="Starting Coxcox" />
        </div>
      </div>
    );
  }
  if (boot.kind === 'failed') {
    return (
      <div className="auth-page">
        <div className="auth-card">
          <ErrorState error={boot.error} title="Coxcox did not answer" onRetry={() => void load()} />
        </div>
      </div>
    );
  }
  if (boot.kind === 'signed-out' || !sessionValue) {
    return (
      <ToastProvider>
        <SessionScreen
          isSetupNeeded={boot.kind === 'signed-out' && boot.isSetupNeeded}
          isCompanyNeeded={boot.kind === 'signed-out' && boot.hasDefaultTenant === false}
          onSignedIn={(session) => setBoot({ kind: 'signed-in', session })}
        />
      </ToastProvider>
    );
  }
  const section =
    SECTIONS.find((candidate) => path === candidate.prefix || path.startsWith(`${candidate.prefix}/`)) ??
    SECTIONS[0]!;
  return (
    <SessionContext.Provider value={sessionValue}>
      <ToastProvider>
        <LiveEventsProvider>
          <AppShell>
            <ErrorBoundary resetKey={section.prefix}>
              <Suspense
                fallback={
                  <div className="page">
                    <LoadingState rows={6} />
                  </div>
                }
              >
                <section.Screen />
              </Suspense>
            </ErrorBoundary>
          </AppShell>
        </LiveEventsProvider>
      </ToastProvider>
    </SessionContext.Provider>
  );
}
