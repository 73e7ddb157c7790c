import { type FormEvent, useEffect, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { formatUsd } from '../../lib/format.ts';
import { useIsAdmin } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import { useResource } from '../../lib/use-resource.ts';

interface ModelSettingsView {
  provider: 'playbook' | 'openai-compatible' | 'anthropic';
  baseUrl: string | null;
  model: string | null;
  hasApiKey: boolean;
}

interface ConnectionTest {
  isOk: boolean;
  model: string;
  latencyMs: number;
  reply: string | null;
  error: string | null;
}

interface Budget {
  period: string;
  spentUsd: number;
  turnCount: number;
  monthlyLimitUsd: number | null;
  isOverLimit: boolean;
}

/** Which model the agent uses (the key is write-only), a connection test, and the monthly spend limit. */
export function ModelSettingsPanel() {
  const isAdmin = useIsAdmin();
  const toast = useToast();
  const settings = useResource(() => api.get<ModelSettingsView>('/agent/model-settings'), []);
  const budget = useResource(() => api.get<Budget>('/agent/budget'), []);
  const [provider, setProvider] = useState<ModelSettingsView['provider']>('playbook');
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [limit, setLimit] = useState('');
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [isTesting, setIsTesting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!settings.data) return;
    setProvider(settings.data.provider);
    setBaseUrl(settings.data.baseUrl ?? '');
    setModel(settings.data.model ?? '');
  }, [settings.data]);
  useEffect(() => {
    if (budget.data)
      setLimit(budget.data.monthlyLimitUsd === null ? '' : String(budget.data.monthlyLimitUsd));
  }, [budget.data]);

  if (settings.isLoading) return <LoadingState rows={4} label="Loading the model settings" />;
  if (!settings.data) return <ErrorState error={settings.error} onRetry={() => void settings.reload()} />;

  // What Save stores and what the connection test tries: the form as it is on screen. An empty key field
  // means "the stored key", for both.
  const formValues = () => ({
    provider,
    baseUrl: provider === 'openai-compatible' && baseUrl ? baseUrl : null,
    model: provider === 'playbook' ? null : model || null,
    ...(apiKey ? { apiKey } : {}),
  });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      settings.setData(await api.put<ModelSettingsView>('/agent/model-settings', formValues()));
      setApiKey('');
      toast('Model settings saved');
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };
  const runTest = async () => {
    setIsTesting(true);
    setTest(null);
    try {
      setTest(await api.post<ConnectionTest>('/agent/model-settings/test', formValues()));
    } catch (caught) {
      setTest({ isOk: false, model, latencyMs: 0, reply: null, error: errorMessage(caught) });
    } finally {
      setIsTesting(false);
    }
  };
  const saveLimit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      budget.setData(
        await api.put<Budget>('/agent/budget', { monthlyLimitUsd: limit === '' ? null : Number(limit) }),
      );
      toast('Spend limit saved');
    } catch (caught) {
      toast(errorMessage(caught), 'error');
    }
  };

  return (
    <div className="grid-2" style={{ alignItems: 'start' }}>
      <form className="card stack" onSubmit={(event) => void save(event)} aria-label="Model">
        <h2>Model</h2>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        <fieldset disabled={!isAdmin} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <Field label="Provider">
            <select
              className="input"
              name="provider"
              value={provider}
              onChange={(event) => setProvider(event.target.value as ModelSettingsView['provider'])}
            >
              <option value="playbook">Offline playbook (no model, no cost)</option>
              <option value="openai-compatible">
                OpenAI-compatible (OpenAI, Azure, Ollama, vLLM, OpenRouter…)
              </option>
              <option value="anthropic">Anthropic</option>
            </select>
          </Field>
          {provider === 'openai-compatible' ? (
            <Field label="Base URL" hint="e.g. https://api.openai.com/v1 or http://localhost:11434/v1">
              <input
                className="input"
                type="url"
                value={baseUrl}
                onChange={(event) => setBaseUrl(event.target.value)}
              />
            </Field>
          ) : null}
          {provider !== 'playbook' ? (
            <>
              <Field
                label="Model"
                hint={provider === 'anthropic' ? 'e.g. claude-haiku-4-5' : 'e.g. gpt-4o-mini'}
              >
                <input className="input" value={model} onChange={(event) => setModel(event.target.value)} />
              </Field>
              <Field
                label="API key"
                hint={
                  settings.data.hasApiKey
                    ? 'A key is stored (encrypted). Leave empty to keep it.'
                    : 'Stored encrypted; never shown again.'
                }
              >
                <input
                  className="input"
                  type="password"
                  autoComplete="off"
                  value={apiKey}
                  onChange={(event) => setApiKey(event.target.value)}
                />
              </Field>
            </>
          ) : (
            <p className="muted small">
              The playbook follows your profile's script in English, Spanish and Portuguese. Good for trying
              Coxcox, and when no key is set.
            </p>
          )}
        </fieldset>
        <div className="row">
          <button type="button" className="button" disabled={isTesting} onClick={() => void runTest()}>
            <Icon name="sparkle" size={16} /> {isTesting ? 'Testing…' : 'Test the connection'}
          </button>
          <span className="spacer" />
          {isAdmin ? (
            <button type="submit" className="button primary">
              Save
            </button>
          ) : null}
        </div>
        {test ? (
          <div
            className={`banner ${test.isOk ? 'ok' : 'danger'}`}
            role="status"
            data-testid="connection-test"
          >
            <Icon name={test.isOk ? 'check' : 'alert'} size={18} />
            <span>
              {test.isOk
                ? `${test.model} answered in ${test.latencyMs} ms${test.reply ? `: “${test.reply}”` : ''}`
                : `The model did not answer: ${test.error}`}
            </span>
          </div>
        ) : null}
      </form>
      <form className="card stack" onSubmit={(event) => void saveLimit(event)} aria-label="Spend">
        <h2>Spend this month</h2>
        {budget.data ? (
          <>
            <div className="stat">
              <strong>{formatUsd(budget.data.spentUsd)}</strong>
              <span>
                {budget.data.turnCount} agent turns in {budget.data.period}
                {budget.data.isOverLimit ? ' · over the limit: conversations go to people' : ''}
              </span>
            </div>
            <Field
              label="Monthly limit (USD)"
              hint="Past it, the agent stops and conversations go to your team. Empty: no limit."
            >
              <input
                className="input"
                type="number"
                min={0}
                step={1}
                disabled={!isAdmin}
                value={limit}
                onChange={(event) => setLimit(event.target.value)}
              />
            </Field>
            {isAdmin ? (
              <div className="row">
                <span className="spacer" />
                <button type="submit" className="button">
                  Save limit
                </button>
              </div>
            ) : null}
          </>
        ) : budget.error ? (
          <ErrorState error={budget.error} onRetry={() => void budget.reload()} />
        ) : (
          <LoadingState rows={2} />
        )}
      </form>
    </div>
  );
}
