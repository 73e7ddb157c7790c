import { type FormEvent, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import type { Session } from '../../lib/session.ts';

/**
 * Sign in, or on the very first run create the first admin. The first-run form exists only while
 * Coxcox has no user at all (the server refuses it after).
 */
export function SessionScreen({
  isSetupNeeded,
  isCompanyNeeded = false,
  onSignedIn,
}: {
  isSetupNeeded: boolean;
  /** With no default tenant (not the sandbox), the first admin also names the first company. */
  isCompanyNeeded?: boolean;
  onSignedIn: (session: Session) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [companyName, setCompanyName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  // The operator signs in with the ADMIN_TOKEN instead, to act for any company (and switch between them).
  const [isOperator, setIsOperator] = useState(false);
  const [adminToken, setAdminToken] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      const session = isOperator
        ? await api.post<Session>('/session/operator', { adminToken })
        : isSetupNeeded
          ? await api.post<Session>('/setup', {
              email,
              password,
              name: name || undefined,
              companyName: companyName || undefined,
            })
          : await api.post<Session>('/session', { email, password });
      onSignedIn(session);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsBusy(false);
    }
  };

  const brand = (
    <div className="brand">
      <span className="brand-mark" style={{ color: '#fff' }}>
        <Icon name="whatsapp" size={18} />
      </span>
      Coxcox
    </div>
  );
  const switchMode = (next: boolean) => {
    setIsOperator(next);
    setError(null);
  };

  if (isOperator) {
    return (
      <div className="auth-page">
        <form className="auth-card" onSubmit={(event) => void submit(event)} aria-label="Operator sign-in">
          {brand}
          <div>
            <h1>Operator sign-in</h1>
            <p className="muted" style={{ marginTop: 4 }}>
              With the server’s ADMIN_TOKEN you can act for any company on this Coxcox, and switch between
              them in the sidebar.
            </p>
          </div>
          {error ? (
            <div className="form-error" role="alert">
              {error}
            </div>
          ) : null}
          <Field label="Admin token" hint="The ADMIN_TOKEN variable, or the admin-token file in DATA_DIR.">
            <input
              className="input"
              name="adminToken"
              type="password"
              required
              autoComplete="off"
              value={adminToken}
              onChange={(event) => setAdminToken(event.target.value)}
            />
          </Field>
          <button type="submit" className="button primary" disabled={isBusy}>
            {isBusy ? 'One moment…' : 'Sign in as the operator'}
          </button>
          <button type="button" className="button ghost small" onClick={() => switchMode(false)}>
            Sign in with email and password instead
          </button>
        </form>
      </div>
    );
  }

  return (
    <div className="auth-page">
      <form
        className="auth-card"
        onSubmit={(event) => void submit(event)}
        aria-label={isSetupNeeded ? 'Create the first admin' : 'Sign in'}
      >
        {brand}
        <div>
          <h1>{isSetupNeeded ? 'Welcome! Create the first admin' : 'Sign in'}</h1>
          <p className="muted" style={{ marginTop: 4 }}>
            {isSetupNeeded
              ? 'This account manages your company in Coxcox: its WhatsApp numbers, the AI agent, campaigns and the team.'
              : 'The inbox, campaigns and the AI agent of your company.'}
          </p>
        </div>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        {isSetupNeeded && isCompanyNeeded ? (
          <Field label="Company name">
            <input
              className="input"
              name="company"
              required
              value={companyName}
              onChange={(event) => setCompanyName(event.target.value)}
              autoComplete="organization"
            />
          </Field>
        ) : null}
        {isSetupNeeded ? (
          <Field label="Your name">
            <input
              className="input"
              name="name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              autoComplete="name"
            />
          </Field>
        ) : null}
        <Field label="Email">
          <input
            className="input"
            name="email"
            type="email"
            required
            autoComplete="username"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </Field>
        <Field
          label="Password"
          hint={
            isSetupNeeded ? 'At least 10 characters. A phrase of a few words is easy to remember.' : undefined
          }
        >
          <input
            className="input"
            name="password"
            type="password"
            required
            minLength={isSetupNeeded ? 10 : 1}
            autoComplete={isSetupNeeded ? 'new-password' : 'current-password'}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
        <button type="submit" className="button primary" disabled={isBusy}>
          {isBusy ? 'One moment…' : isSetupNeeded ? 'Create admin and sign in' : 'Sign in'}
        </button>
        {!isSetupNeeded ? (
          <p className="muted small">
            No account? Ask an admin of your company to add you, or create one with{' '}
            <code>npx coxcox users create</code>.
          </p>
        ) : null}
        <button type="button" className="button ghost small" onClick={() => switchMode(true)}>
          Operator? Use the admin token
        </button>
      </form>
    </div>
  );
}
