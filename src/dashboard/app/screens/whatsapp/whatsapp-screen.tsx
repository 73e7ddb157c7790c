import { type FormEvent, useMemo, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage, isRouteMissing } from '../../lib/api.ts';
import { formatDateTime, formatPhone, humanize } from '../../lib/format.ts';
import { useLiveEvents } from '../../lib/live-events.tsx';
import { useIsAdmin, useSession } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { PhoneNumberHealth, Template } from '../../lib/types.ts';
import { throttle, useResource } from '../../lib/use-resource.ts';
import { CopyField } from './copy-field.tsx';

interface Overview {
  isSandbox: boolean;
  graphApiVersion: string;
  /** The platform's own Meta app, through which numbers onboarded with a setup link get their webhooks. */
  platformAppId: string | null;
  apps: Array<{ appId: string; webhookUrl: string; verifyToken: string | null }>;
  numbers: PhoneNumberHealth[];
}

/** The health console's view of a number (src/health), when that domain is installed. */
interface NumberHealthView {
  phoneNumberId: string;
  status: 'ok' | 'warning' | 'critical' | 'unknown';
  checks: Array<{ name: string; status: 'ok' | 'warning' | 'critical' | 'unknown'; summary: string }>;
  updatedAt: string;
}

const STATUS_TONE = { ok: 'ok', warning: 'warn', critical: 'danger', unknown: '' } as const;
const QUALITY_TONE: Record<string, string> = { GREEN: 'ok', YELLOW: 'warn', RED: 'danger' };

/**
 * Connect WhatsApp: what to paste into Meta, each number's health (token, webhooks, quality, tier,
 * throughput), a manual connection checked with Meta, and the templates with their review status.
 */
export function WhatsAppScreen() {
  const { session } = useSession();
  const isAdmin = useIsAdmin();
  const toast = useToast();
  const tenantId = session.tenant.id;
  const overview = useResource(() => api.get<Overview>('/whatsapp/overview'), []);
  const health = useResource(async () => {
    try {
      return (await api.get<{ data: NumberHealthView[] }>(`/tenants/${encodeURIComponent(tenantId)}/health`))
        .data;
    } catch (error) {
      // Without the health domain, the overview's own figures are shown.
      if (isRouteMissing(error)) return null;
      throw error;
    }
  }, [tenantId]);
  const templates = useResource(() => api.get<{ data: Template[] }>('/templates'), []);
  const [isChecking, setIsChecking] = useState(false);
  const [isSyncing, setIsSyncing] = useState(false);

  const refresh = useMemo(
    () =>
      throttle(() => {
        void overview.reload();
        void health.reload();
        void templates.reload();
      }, 2000),
    [overview.reload, health.reload, templates.reload],
  );
  useLiveEvents((event) => {
    if (event.type === 'whatsapp-changed' || event.type === 'resync') refresh();
  });

  const checkNow = async () => {
    setIsChecking(true);
    try {
      if (health.data) await api.post(`/tenants/${encodeURIComponent(tenantId)}/health/check`);
      else {
        for (const number of overview.data?.numbers ?? []) {
          const result = await api.post<{ isTokenValid: boolean; error: string | null }>(
            `/whatsapp/numbers/${number.phoneNumberId}/check`,
          );
          toast(
            result.isTokenValid
              ? `${formatPhone(number.displayPhoneNumber)}: Meta answered, the token works`
              : `${formatPhone(number.displayPhoneNumber)}: ${result.error}`,
            result.isTokenValid ? 'info' : 'error',
          );
        }
      }
      refresh();
    } catch (error) {
      toast(errorMessage(error), 'error');
    } finally {
      setIsChecking(false);
    }
  };

  const syncTemplates = async () => {
    setIsSyncing(true);
    try {
      templates.setData(await api.post<{ data: Template[] }>('/templates/sync'));
      toast('Templates synced from WhatsApp');
    } catch (error) {
      toast(errorMessage(error), 'error');
    } finally {
      setIsSyncing(false);
    }
  };

  if (overview.isLoading) {
    return (
      <div className="page">
        <LoadingState rows={6} label="Loading the WhatsApp connection" />
      </div>
    );
  }
  if (!overview.data) {
    return (
      <div className="page">
        <ErrorState
          error={overview.error}
          title="The connection could not be loaded"
          onRetry={() => void overview.reload()}
        />
      </div>
    );
  }
  const data = overview.data;
  const healthByNumber = new Map((health.data ?? []).map((view) => [view.phoneNumberId, view]));
  return (
    <div className="page">
      <PageHeader
        title="WhatsApp"
        description={
          data.isSandbox
            ? 'Sandbox mode: the built-in simulator plays Meta, so everything works with no Meta account. Connect a real number when you are ready.'
            : 'Your WhatsApp Business Accounts, numbers and templates.'
        }
        actions={
          <button type="button" className="button" disabled={isChecking} onClick={() => void checkNow()}>
            <Icon name="refresh" size={16} /> {isChecking ? 'Checking…' : 'Check with Meta now'}
          </button>
        }
      />
      <div className="stack">
        <section className="card stack" aria-label="Webhook">
          <h2>Webhook for Meta</h2>
          {data.apps.length === 0 && data.platformAppId !== null ? (
            <div className="banner">
              <span>
                Your numbers receive their webhooks through Coxcox's own Meta app (
                <code>{data.platformAppId}</code>), set up when they were connected: there is nothing to paste
                into Meta.
              </span>
            </div>
          ) : (
            <p className="muted">
              In your Meta app, open <strong>WhatsApp › Configuration › Webhook</strong>, paste the callback
              URL and the verify token, then subscribe the <code>messages</code> field.
            </p>
          )}
          {data.apps.length === 0 && data.platformAppId !== null ? null : data.apps.length === 0 ? (
            <div className="banner warn">
              No Meta app is connected yet: connect one (app id, app secret and verify token) through the API
              or a setup link.
            </div>
          ) : (
            data.apps.map((app) => (
              <div key={app.appId} className="grid-2">
                <Field label={`Callback URL (app ${app.appId})`}>
                  <CopyField value={app.webhookUrl} label="Callback URL" />
                </Field>
                <Field label="Verify token">
                  {app.verifyToken ? (
                    <CopyField value={app.verifyToken} label="Verify token" isSecret />
                  ) : (
                    <span className="muted small">Only admins can see it.</span>
                  )}
                </Field>
              </div>
            ))
          )}
        </section>

        <section aria-label="Numbers" className="stack">
          <h2>Numbers</h2>
          {data.numbers.length === 0 ? (
            <div className="card">
              <EmptyState icon="whatsapp" title="No number connected">
                Connect a WhatsApp Business number below: its WABA id, number id and a system user token.
              </EmptyState>
            </div>
          ) : (
            data.numbers.map((number) => (
              <NumberCard
                key={number.phoneNumberId}
                number={number}
                health={healthByNumber.get(number.phoneNumberId) ?? null}
              />
            ))
          )}
        </section>

        {isAdmin ? <ConnectNumberForm tenantId={tenantId} onConnected={refresh} /> : null}

        <section className="card flush" aria-label="Templates">
          <div className="card-header" style={{ padding: '14px 16px 0' }}>
            <h2>Templates</h2>
            <button
              type="button"
              className="button small"
              disabled={isSyncing}
              onClick={() => void syncTemplates()}
            >
              <Icon name="refresh" size={14} /> {isSyncing ? 'Syncing…' : 'Sync from WhatsApp'}
            </button>
          </div>
          {templates.isLoading ? (
            <div style={{ padding: 16 }}>
              <LoadingState rows={3} />
            </div>
          ) : templates.error && !templates.data ? (
            <ErrorState error={templates.error} onRetry={() => void templates.reload()} />
          ) : (templates.data?.data.length ?? 0) === 0 ? (
            <EmptyState icon="file" title="No templates synced">
              Campaigns and replies outside the 24-hour window need templates Meta approved. Sync them from
              your WhatsApp Business Account.
            </EmptyState>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="templates">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Language</th>
                    <th>Category</th>
                    <th>Status</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {templates.data?.data.map((template) => (
                    <tr key={template.id}>
                      <td>
                        <strong>{template.name}</strong>
                      </td>
                      <td>{template.language}</td>
                      <td>{humanize(template.category)}</td>
                      <td>
                        <span
                          className={`badge ${template.status === 'APPROVED' ? 'ok' : template.status === 'PENDING' ? 'info' : 'danger'}`}
                        >
                          {humanize(template.status)}
                        </span>
                        {template.statusReason ? (
                          <div className="small muted">{template.statusReason}</div>
                        ) : null}
                      </td>
                      <td className="small muted">{formatDateTime(template.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}

function NumberCard({ number, health }: { number: PhoneNumberHealth; health: NumberHealthView | null }) {
  const status = health?.status ?? (number.isHealthy ? 'ok' : 'critical');
  return (
    <article className="card stack" data-phone-number-id={number.phoneNumberId}>
      <div className="row wrap">
        <div className="spacer">
          <strong style={{ fontSize: 15 }}>{number.verifiedName ?? 'WhatsApp number'}</strong>
          <div className="small muted">
            {formatPhone(number.displayPhoneNumber)} · number id <code>{number.phoneNumberId}</code> · WABA{' '}
            <code>{number.wabaId}</code>
          </div>
        </div>
        <span className={`badge ${STATUS_TONE[status]}`}>
          {status === 'ok' ? 'Healthy' : humanize(status)}
        </span>
      </div>
      {number.healthProblem ? <div className="banner danger">{number.healthProblem}</div> : null}
      <div className="health-grid">
        <div className="health-item">
          <span>Token</span>
          <strong>
            {number.token
              ? number.token.isExpired
                ? 'Expired'
                : number.isHealthy
                  ? 'Valid'
                  : 'Rejected'
              : 'Missing'}
          </strong>
          <span>
            {number.token ? `${humanize(number.token.kind)} ${number.token.hint}` : 'Add a system user token'}
            {number.token?.expiresAt ? ` · expires ${formatDateTime(number.token.expiresAt)}` : ''}
          </span>
        </div>
        <div className="health-item">
          <span>Webhook last seen</span>
          <strong>{number.webhookLastSeenAt ? formatDateTime(number.webhookLastSeenAt) : 'Not yet'}</strong>
        </div>
        <div className="health-item">
          <span>Quality</span>
          <strong>
            <span className={`badge ${QUALITY_TONE[number.qualityRating ?? ''] ?? ''}`}>
              {humanize(number.qualityRating ?? 'unknown')}
            </span>
          </strong>
        </div>
        <div className="health-item">
          <span>Messaging tier</span>
          <strong>{humanize((number.messagingTier ?? 'unknown').replace('TIER_', ''))}</strong>
        </div>
        <div className="health-item">
          <span>Throughput</span>
          <strong>{number.throughputMps} msg/s</strong>
        </div>
        <div className="health-item">
          <span>Graph API</span>
          <strong>{number.graphApiVersion ?? 'default'}</strong>
        </div>
      </div>
      {health && health.checks.length > 0 ? (
        <ul
          className="stack tight"
          style={{ margin: 0, paddingLeft: 0, listStyle: 'none' }}
          data-testid="health-checks"
        >
          {health.checks.map((check) => (
            <li key={check.name} className="row" style={{ alignItems: 'flex-start' }}>
              <span
                className={`badge ${STATUS_TONE[check.status]}`}
                style={{ minWidth: 70, justifyContent: 'center' }}
              >
                {humanize(check.status)}
              </span>
              <span>
                <strong>{humanize(check.name)}</strong> · {check.summary}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}

/** Connecting a number by hand: the token is checked with Meta before anything is saved. */
function ConnectNumberForm({ tenantId, onConnected }: { tenantId: string; onConnected: () => void }) {
  const toast = useToast();
  const [wabaId, setWabaId] = useState('');
  const [phoneNumberId, setPhoneNumberId] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setIsBusy(true);
    setError(null);
    const body = {
      wabaId: wabaId.trim(),
      phoneNumberId: phoneNumberId.trim(),
      accessToken: accessToken.trim(),
    };
    try {
      try {
        await api.post(`/tenants/${encodeURIComponent(tenantId)}/connections`, body);
      } catch (caught) {
        if (!isRouteMissing(caught)) throw caught;
        await api.post('/whatsapp/connect', body);
      }
      toast('Number connected');
      setAccessToken('');
      onConnected();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsBusy(false);
    }
  };
  return (
    <form className="card stack" onSubmit={(event) => void submit(event)} aria-label="Connect a number">
      <h2>Connect a number</h2>
      <p className="muted">
        From Meta Business Suite: the WhatsApp Business Account id, the phone number id, and a system user
        token with the <code>whatsapp_business_messaging</code> and <code>whatsapp_business_management</code>{' '}
        permissions. Coxcox checks them with Meta first.
      </p>
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <div className="grid-2">
        <Field label="WABA id">
          <input
            className="input"
            name="waba-id"
            required
            value={wabaId}
            onChange={(event) => setWabaId(event.target.value)}
          />
        </Field>
        <Field label="Phone number id">
          <input
            className="input"
            name="phone-number-id"
            required
            value={phoneNumberId}
            onChange={(event) => setPhoneNumberId(event.target.value)}
          />
        </Field>
      </div>
      <Field label="System user access token" hint="Stored encrypted; never shown again.">
        <input
          className="input"
          name="access-token"
          type="password"
          autoComplete="off"
          required
          value={accessToken}
          onChange={(event) => setAccessToken(event.target.value)}
        />
      </Field>
      <div className="row">
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={isBusy}>
          {isBusy ? 'Checking with Meta…' : 'Connect'}
        </button>
      </div>
    </form>
  );
}
