import { type FormEvent, useState } from 'react';
import { AppLink } from '../../components/app-link.tsx';
import { Avatar } from '../../components/avatar.tsx';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { Modal } from '../../components/modal.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { contactLabel, formatDateTime, humanize } from '../../lib/format.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { Contact } from '../../lib/types.ts';
import { useResource } from '../../lib/use-resource.ts';
import { ConsentBadge } from './contact-list.tsx';

interface ConsentEvent {
  kind: string;
  scope: string;
  source: string;
  proof: string | null;
  occurredAt: string;
  recordedAt: string;
}

/** One contact: fields, tags, the consent ledger, and opting out (or back in). */
export function ContactDetail({ contactId }: { contactId: string }) {
  const toast = useToast();
  const contact = useResource(() => api.get<Contact>(`/contacts/${contactId}`), [contactId]);
  const consent = useResource(
    () => api.get<{ data: ConsentEvent[] }>(`/contacts/${contactId}/consent`),
    [contactId],
  );
  const [newTag, setNewTag] = useState('');
  const [isOptingOut, setIsOptingOut] = useState(false);
  const [optOutScope, setOptOutScope] = useState<'all' | 'marketing'>('all');
  const [optOutReason, setOptOutReason] = useState('');

  const patch = async (body: unknown) => {
    try {
      contact.setData(await api.patch<Contact>(`/contacts/${contactId}`, body));
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };
  const addTag = async (event: FormEvent) => {
    event.preventDefault();
    if (!newTag.trim()) return;
    await patch({ tags: { add: [newTag.trim()] } });
    setNewTag('');
  };
  const optOut = async () => {
    try {
      contact.setData(
        await api.post<Contact>(`/contacts/${contactId}/opt-out`, {
          scope: optOutScope,
          reason: optOutReason || undefined,
        }),
      );
      setIsOptingOut(false);
      void consent.reload();
      toast('Opted out: no campaign will message this contact.');
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };
  const optIn = async () => {
    const source = window.prompt('Where did the contact give consent again? (e.g. phone call, web form)');
    if (!source) return;
    try {
      contact.setData(await api.post<Contact>(`/contacts/${contactId}/opt-in`, { scope: 'all', source }));
      void consent.reload();
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  if (contact.isLoading) {
    return (
      <div className="page">
        <LoadingState rows={5} label="Loading the contact" />
      </div>
    );
  }
  if (!contact.data) {
    return (
      <div className="page">
        <ErrorState
          error={contact.error}
          title="This contact could not be loaded"
          onRetry={() => void contact.reload()}
        />
      </div>
    );
  }
  const data = contact.data;
  const isOptedOut = data.optedOutAt !== null;
  return (
    <div className="page">
      <PageHeader
        title={data.name ?? contactLabel(data)}
        description={
          <>
            {data.phone ?? contactLabel(data)} · <ConsentBadge contact={data} />
          </>
        }
        actions={
          <>
            <AppLink href="/contacts" className="button ghost">
              <Icon name="back" size={16} /> Contacts
            </AppLink>
            {isOptedOut ? (
              <button type="button" className="button" onClick={() => void optIn()}>
                Record consent again
              </button>
            ) : (
              <button type="button" className="button danger" onClick={() => setIsOptingOut(true)}>
                Opt out
              </button>
            )}
          </>
        }
      />
      <div className="grid-2">
        <section className="card stack" aria-label="Details">
          <div className="row">
            <Avatar name={data.name ?? data.username ?? data.phone ?? '?'} size={48} />
            <div>
              <strong>{data.name ?? 'No name'}</strong>
              <div className="small muted">
                {data.country ?? 'Unknown country'} · {data.timeZone ?? 'unknown time zone'}
              </div>
              {data.userId ? (
                <div className="small muted">
                  {data.username ? `@${data.username} · ` : ''}user id <code>{data.userId}</code>
                </div>
              ) : null}
            </div>
          </div>
          <div>
            <h3 style={{ marginBottom: 6 }}>Tags</h3>
            <div className="row wrap">
              {data.tags.length === 0 ? <span className="muted small">No tags</span> : null}
              {data.tags.map((tag) => (
                <span key={tag} className="badge">
                  {tag}
                  <button
                    type="button"
                    className="icon-button"
                    style={{ width: 18, height: 18 }}
                    onClick={() => void patch({ tags: { remove: [tag] } })}
                  >
                    <Icon name="close" size={12} label={`Remove ${tag}`} />
                  </button>
                </span>
              ))}
            </div>
            <form className="row" style={{ marginTop: 8 }} onSubmit={(event) => void addTag(event)}>
              <input
                className="input"
                aria-label="New tag"
                placeholder="Add a tag"
                value={newTag}
                onChange={(event) => setNewTag(event.target.value)}
              />
              <button type="submit" className="button">
                Add
              </button>
            </form>
          </div>
          <div>
            <h3 style={{ marginBottom: 6 }}>Fields</h3>
            {Object.keys(data.fields).length === 0 ? (
              <span className="muted small">No custom fields</span>
            ) : (
              <dl className="kv">
                {Object.entries(data.fields).map(([key, value]) => (
                  <div key={key} style={{ display: 'contents' }}>
                    <dt>{key}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </div>
        </section>
        <section className="card" aria-label="Consent history">
          <h2 style={{ marginBottom: 10 }}>Consent history</h2>
          {consent.isLoading ? (
            <LoadingState rows={3} />
          ) : consent.error && !consent.data ? (
            <ErrorState error={consent.error} onRetry={() => void consent.reload()} />
          ) : (consent.data?.data.length ?? 0) === 0 ? (
            <EmptyState icon="info" title="No consent recorded">
              Opt-ins from imports and the API, and every opt-out, are kept here with their source and proof.
            </EmptyState>
          ) : (
            <ol className="stack tight" style={{ margin: 0, paddingLeft: 18 }} data-testid="consent-history">
              {consent.data?.data.map((event, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the ledger is append-only, in order.
                <li key={index}>
                  <span className={`badge ${event.kind === 'opt_out' ? 'danger' : 'ok'}`}>
                    {humanize(event.kind)}
                  </span>{' '}
                  {event.scope === 'marketing' ? 'marketing only' : 'all messages'} · {humanize(event.source)}{' '}
                  · {formatDateTime(event.occurredAt)}
                  {event.proof ? <div className="small muted">{event.proof}</div> : null}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      {isOptingOut ? (
        <Modal
          title="Opt this contact out"
          onClose={() => setIsOptingOut(false)}
          footer={
            <>
              <button type="button" className="button" onClick={() => setIsOptingOut(false)}>
                Keep
              </button>
              <button type="button" className="button danger" onClick={() => void optOut()}>
                Opt out
              </button>
            </>
          }
        >
          <div className="stack">
            <p>Messages waiting for this contact are withdrawn at once, in every campaign.</p>
            <div className="row wrap" role="radiogroup" aria-label="Scope">
              <label className="checkbox">
                <input
                  type="radio"
                  name="scope"
                  checked={optOutScope === 'all'}
                  onChange={() => setOptOutScope('all')}
                />{' '}
                Every message
              </label>
              <label className="checkbox">
                <input
                  type="radio"
                  name="scope"
                  checked={optOutScope === 'marketing'}
                  onChange={() => setOptOutScope('marketing')}
                />{' '}
                Marketing only
              </label>
            </div>
            <Field label="Reason (kept in the consent history)">
              <input
                className="input"
                value={optOutReason}
                onChange={(event) => setOptOutReason(event.target.value)}
                placeholder="Asked by phone"
              />
            </Field>
          </div>
        </Modal>
      ) : null}
    </div>
  );
}
