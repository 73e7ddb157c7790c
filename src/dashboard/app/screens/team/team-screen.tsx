import { type FormEvent, useState } from 'react';
import { Avatar } from '../../components/avatar.tsx';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { Modal } from '../../components/modal.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useIsAdmin, useSession } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import { useResource } from '../../lib/use-resource.ts';
import { ChangePassword } from './change-password.tsx';

interface User {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  isDisabled: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

/** The company's people: admins add agents and admins, change roles, disable and remove them. */
export function TeamScreen() {
  const isAdmin = useIsAdmin();
  const { session } = useSession();
  const toast = useToast();
  const users = useResource(() => api.get<{ data: User[] }>('/users'), []);
  const [isAdding, setIsAdding] = useState(false);

  if (!isAdmin) {
    return (
      <div className="page">
        <PageHeader title="Team" />
        <div className="stack">
          <ChangePassword />
          <div className="card">
            <EmptyState icon="team" title="Only admins manage the team">
              Ask an admin of {session.tenant.name} to add people or change roles.
            </EmptyState>
          </div>
        </div>
      </div>
    );
  }
  const update = async (user: User, patch: Partial<{ role: string; isDisabled: boolean }>) => {
    try {
      const updated = await api.patch<User>(`/users/${user.id}`, patch);
      users.setData((previous) => ({
        data: (previous?.data ?? []).map((item) => (item.id === updated.id ? updated : item)),
      }));
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };
  const remove = async (user: User) => {
    if (!window.confirm(`Remove ${user.email}? They are signed out at once.`)) return;
    try {
      await api.delete(`/users/${user.id}`);
      void users.reload();
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  return (
    <div className="page">
      <PageHeader
        title="Team"
        description="Admins manage people, the WhatsApp connection and the agent. Agents work the inbox, contacts and campaigns."
        actions={
          <button type="button" className="button primary" onClick={() => setIsAdding(true)}>
            <Icon name="plus" size={16} /> Add a person
          </button>
        }
      />
      <section className="card flush" style={{ marginBottom: 16 }} aria-label="People">
        {users.isLoading ? (
          <div style={{ padding: 16 }}>
            <LoadingState rows={3} />
          </div>
        ) : users.error && !users.data ? (
          <ErrorState error={users.error} onRetry={() => void users.reload()} />
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>Person</th>
                  <th>Role</th>
                  <th>Last sign-in</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {users.data?.data.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <span className="row">
                        <Avatar name={user.name} size={30} />
                        <span>
                          <strong>{user.name}</strong>{' '}
                          {user.id === session.user.id ? <span className="badge">you</span> : null}
                          {user.isDisabled ? <span className="badge danger">disabled</span> : null}
                          <div className="small muted">{user.email}</div>
                        </span>
                      </span>
                    </td>
                    <td>
                      <select
                        className="input"
                        style={{ width: 120 }}
                        aria-label={`Role of ${user.email}`}
                        value={user.role}
                        onChange={(event) => void update(user, { role: event.target.value })}
                      >
                        <option value="admin">Admin</option>
                        <option value="agent">Agent</option>
                      </select>
                    </td>
                    <td className="small muted">
                      {user.lastSignInAt ? formatDateTime(user.lastSignInAt) : 'Never'}
                    </td>
                    <td>
                      {user.id !== session.user.id ? (
                        <span className="row">
                          <button
                            type="button"
                            className="button small"
                            onClick={() => void update(user, { isDisabled: !user.isDisabled })}
                          >
                            {user.isDisabled ? 'Enable' : 'Disable'}
                          </button>
                          <button
                            type="button"
                            className="button small danger"
                            onClick={() => void remove(user)}
                          >
                            Remove
                          </button>
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ChangePassword />
      {isAdding ? (
        <AddUser
          onClose={() => setIsAdding(false)}
          onAdded={() => {
            setIsAdding(false);
            void users.reload();
          }}
        />
      ) : null}
    </div>
  );
}

function AddUser({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<'admin' | 'agent'>('agent');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.post('/users', { email, name: name || undefined, role, password });
      onAdded();
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  return (
    <Modal title="Add a person" onClose={onClose}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        {error ? <div className="form-error">{error}</div> : null}
        <Field label="Email">
          <input
            className="input"
            type="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </Field>
        <Field label="Name">
          <input className="input" value={name} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Role">
          <select
            className="input"
            value={role}
            onChange={(event) => setRole(event.target.value as 'admin' | 'agent')}
          >
            <option value="agent">Agent: inbox, contacts and campaigns</option>
            <option value="admin">Admin: also the team, WhatsApp and the AI agent</option>
          </select>
        </Field>
        <Field
          label="First password"
          hint="At least 10 characters. Share it safely; they can change it after signing in."
        >
          <input
            className="input"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
        <div className="row">
          <span className="spacer" />
          <button type="submit" className="button primary">
            Add
          </button>
        </div>
      </form>
    </Modal>
  );
}
