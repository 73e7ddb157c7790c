import { type FormEvent, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { useSession } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';

/** The signed-in person's own account: a new password ends their other sessions. */
export function ChangePassword() {
  const { session } = useSession();
  const toast = useToast();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.put('/session/password', { currentPassword, newPassword });
      setCurrentPassword('');
      setNewPassword('');
      toast('Password changed: your other sessions were signed out');
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <form className="card stack" onSubmit={(event) => void submit(event)} aria-label="Your password">
      <div>
        <h2>Your account</h2>
        <p className="muted">
          {session.user.name} · {session.user.email} · {session.user.role}
        </p>
      </div>
      {error ? <div className="form-error">{error}</div> : null}
      <div className="grid-2">
        <Field label="Current password">
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(event) => setCurrentPassword(event.target.value)}
          />
        </Field>
        <Field label="New password" hint="At least 10 characters">
          <input
            className="input"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={newPassword}
            onChange={(event) => setNewPassword(event.target.value)}
          />
        </Field>
      </div>
      <div className="row">
        <span className="spacer" />
        <button type="submit" className="button">
          Change password
        </button>
      </div>
    </form>
  );
}
