import { useState } from 'react';
import { api, errorMessage } from '../lib/api.ts';
import { useSession } from '../lib/session.ts';

/**
 * The operator's company picker (signed in with the ADMIN_TOKEN). The server keeps the choice in the
 * operator's session; the app reloads, so that no screen keeps the previous company's data. Users of a
 * company never see it, and the server refuses them the switch.
 */
export function CompanySwitcher({ className }: { className?: string }) {
  const { session } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const companies = session.operator?.companies;
  if (!companies) return null;

  const choose = async (tenantId: string) => {
    setIsBusy(true);
    setError(null);
    try {
      await api.put('/session/company', { tenantId });
      window.location.assign('/inbox');
    } catch (caught) {
      setError(errorMessage(caught));
      setIsBusy(false);
    }
  };

  return (
    <label className={`company-switcher ${className ?? ''}`}>
      <span className="small">Acting for</span>
      <select
        className="input"
        aria-label="Company"
        value={session.tenant.id}
        disabled={isBusy}
        onChange={(event) => void choose(event.target.value)}
      >
        {companies.map((company) => (
          <option key={company.id} value={company.id}>
            {company.name}
          </option>
        ))}
      </select>
      {error ? (
        <span className="small" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}
