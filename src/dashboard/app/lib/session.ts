import { createContext, useContext } from 'react';

export interface SessionUser {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
}

export interface Session {
  user: SessionUser;
  tenant: { id: string; name: string };
  isSandbox: boolean;
  /** Only when the operator signed in with the ADMIN_TOKEN: the companies it may act for. */
  operator?: { companies: Array<{ id: string; name: string }> };
}

export interface SessionContextValue {
  session: Session;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

/** The signed-in user; screens are only rendered inside a session. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in app');
  return value;
}

export function useIsAdmin(): boolean {
  return useSession().session.user.role === 'admin';
}
