import { useState } from 'react';
import { Icon } from '../../components/icon.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage, isRouteMissing } from '../../lib/api.ts';
import { formatDateTime, formatUsd } from '../../lib/format.ts';
import { useIsAdmin } from '../../lib/session.ts';
import { useResource } from '../../lib/use-resource.ts';

interface EvaluationRun {
  model: string;
  total: number;
  passed: number;
  failed: number;
  ranAt: string;
  which: string;
  elapsedMs: number;
  usage: { costUsd: number };
  results: Array<{
    name: string;
    language: string;
    isPassed: boolean;
    error: string | null;
    checks: Array<{ name: string; isPassed: boolean; detail: string }>;
  }>;
}

/** The evaluation scenarios (customer personas with expected outcomes) run against the agent's model. */
export function EvaluationsPanel() {
  const isAdmin = useIsAdmin();
  const latest = useResource(
    () => api.get<{ run: EvaluationRun | null; isRunning: boolean }>('/evaluations/latest'),
    [],
  );
  const [isRunning, setIsRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (model: 'playbook' | 'configured') => {
    setIsRunning(true);
    setError(null);
    try {
      const result = await api.post<EvaluationRun>('/evaluations/run', { model });
      latest.setData({ run: result, isRunning: false });
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsRunning(false);
    }
  };

  if (latest.isLoading) return <LoadingState rows={4} label="Loading evaluation results" />;
  if (latest.error && isRouteMissing(latest.error)) {
    return (
      <EmptyState icon="check" title="Evaluations are not available on this server">
        Run them from a terminal: <code>npx coxcox eval</code>.
      </EmptyState>
    );
  }
  if (latest.error && !latest.data)
    return <ErrorState error={latest.error} onRetry={() => void latest.reload()} />;
  const data = latest.data?.run ?? null;
  return (
    <div className="stack">
      <section className="card stack">
        <div className="row wrap">
          <div className="spacer">
            <h2>Evaluation</h2>
            <p className="muted">
              Scripted customers in English, Spanish and Portuguese, each with the outcome, fields and tool
              calls expected of the agent.
            </p>
          </div>
          {isAdmin ? (
            <>
              <button
                type="button"
                className="button"
                disabled={isRunning}
                onClick={() => void run('playbook')}
              >
                <Icon name="play" size={16} /> Run with the playbook
              </button>
              <button
                type="button"
                className="button primary"
                disabled={isRunning}
                onClick={() => void run('configured')}
              >
                <Icon name="sparkle" size={16} /> Run with your model
              </button>
            </>
          ) : null}
        </div>
        {isRunning ? (
          <div className="banner">
            Running the scenarios… with a paid model this takes a minute and costs a few cents.
          </div>
        ) : null}
        {error ? <div className="form-error">{error}</div> : null}
        {data ? (
          <div className="row wrap">
            <span className={`badge ${data.failed === 0 ? 'ok' : 'warn'}`} data-testid="evaluation-score">
              {data.passed} of {data.total} passed
            </span>
            <span className="small muted">
              {data.model} · {formatDateTime(data.ranAt)} · {(data.elapsedMs / 1000).toFixed(1)} s ·{' '}
              {formatUsd(data.usage.costUsd)}
            </span>
          </div>
        ) : null}
      </section>
      {!data ? (
        <div className="card">
          <EmptyState icon="check" title="No evaluation run yet">
            Run the scenarios to see how the agent handles interested, price-asking, busy, angry and
            opting-out customers, and prompt-injection attempts.
          </EmptyState>
        </div>
      ) : (
        <section className="card flush" aria-label="Scenario results">
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>Scenario</th>
                  <th>Language</th>
                  <th>Result</th>
                  <th>Checks</th>
                </tr>
              </thead>
              <tbody>
                {data.results.map((result) => (
                  <tr key={result.name}>
                    <td>
                      <strong>{result.name}</strong>
                    </td>
                    <td>{result.language}</td>
                    <td>
                      {result.isPassed ? (
                        <span className="badge ok">Passed</span>
                      ) : (
                        <span className="badge danger">Failed</span>
                      )}
                    </td>
                    <td className="small">
                      {result.error ? <span className="muted">{result.error}</span> : null}
                      {result.checks
                        .filter((check) => !check.isPassed)
                        .map((check) => (
                          <div key={check.name}>
                            ✗ {check.name}: <span className="muted">{check.detail}</span>
                          </div>
                        ))}
                      {result.isPassed ? <span className="muted">{result.checks.length} checks</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
