import { useCallback, useEffect, useState } from 'react';
import { Avatar } from '../../components/avatar.tsx';
import { Icon } from '../../components/icon.tsx';
import { Modal } from '../../components/modal.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, query } from '../../lib/api.ts';
import { contactLabel, formatDateTime, formatNumber } from '../../lib/format.ts';
import { navigate } from '../../lib/router.ts';
import type { Contact, ContactImport, ListPage } from '../../lib/types.ts';
import { useResource } from '../../lib/use-resource.ts';
import { ImportPanel, ImportSummary } from './import-panel.tsx';

type Consent = '' | 'subscribed' | 'opted_out' | 'marketing_opted_out';

/** Contacts: search, filter by tag or consent, import, and the recent imports with their reports. */
export function ContactList() {
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [tag, setTag] = useState('');
  const [consent, setConsent] = useState<Consent>('');
  const [isImportOpen, setIsImportOpen] = useState(false);
  const [pages, setPages] = useState<string[]>([]);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const after = pages[pages.length - 1];
  const contacts = useResource(
    () =>
      api.get<ListPage<Contact>>(
        `/contacts${query({ search: debounced, tag: tag.trim(), consent, after, limit: 50 })}`,
      ),
    [debounced, tag, consent, after],
  );
  const imports = useResource(() => api.get<{ data: ContactImport[] }>('/imports?limit=5'), []);
  const onImported = useCallback(() => {
    void contacts.reload();
    void imports.reload();
  }, [contacts.reload, imports.reload]);
  const resetPaging = () => setPages([]);
  const list = contacts.data?.data ?? [];

  return (
    <div className="page">
      <PageHeader
        title="Contacts"
        description="Everyone Coxcox may message, with their consent history. Opt-outs are honoured in every campaign at once."
        actions={
          <button type="button" className="button primary" onClick={() => setIsImportOpen(true)}>
            <Icon name="upload" size={16} /> Import contacts
          </button>
        }
      />
      <div className="card stack" style={{ marginBottom: 16 }}>
        <div className="row wrap">
          <input
            className="input"
            type="search"
            aria-label="Search contacts"
            placeholder="Search by name or number"
            style={{ flex: '2 1 220px' }}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              resetPaging();
            }}
          />
          <input
            className="input"
            aria-label="Tag"
            placeholder="Tag"
            style={{ flex: '1 1 120px' }}
            value={tag}
            onChange={(event) => {
              setTag(event.target.value);
              resetPaging();
            }}
          />
          <select
            className="input"
            aria-label="Consent"
            style={{ flex: '1 1 160px' }}
            value={consent}
            onChange={(event) => {
              setConsent(event.target.value as Consent);
              resetPaging();
            }}
          >
            <option value="">Any consent</option>
            <option value="subscribed">Subscribed</option>
            <option value="opted_out">Opted out</option>
            <option value="marketing_opted_out">No marketing</option>
          </select>
        </div>
      </div>
      <section className="card flush" aria-label="Contacts">
        {contacts.isLoading ? (
          <div style={{ padding: 16 }}>
            <LoadingState rows={6} label="Loading contacts" />
          </div>
        ) : contacts.error && !contacts.data ? (
          <ErrorState
            error={contacts.error}
            title="Contacts could not be loaded"
            onRetry={() => void contacts.reload()}
          />
        ) : list.length === 0 ? (
          debounced || tag || consent ? (
            <EmptyState icon="search" title="No contact matches" />
          ) : (
            <EmptyState
              icon="contacts"
              title="No contacts yet"
              action={
                <button type="button" className="button primary" onClick={() => setIsImportOpen(true)}>
                  <Icon name="upload" size={16} /> Import a CSV
                </button>
              }
            >
              Import a CSV or JSON file. Numbers are normalized, duplicates merged, and bad rows reported with
              their line.
            </EmptyState>
          )
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Number</th>
                  <th>Tags</th>
                  <th>Consent</th>
                  <th>Added</th>
                </tr>
              </thead>
              <tbody>
                {list.map((contact) => (
                  <tr
                    key={contact.id}
                    className="clickable"
                    onClick={() => navigate(`/contacts/${contact.id}`)}
                    data-contact-id={contact.id}
                  >
                    <td>
                      <a
                        href={`/contacts/${contact.id}`}
                        onClick={(event) => event.preventDefault()}
                        className="row"
                        style={{ color: 'inherit', textDecoration: 'none' }}
                      >
                        <Avatar name={contact.name ?? contact.phone ?? '?'} size={30} />
                        <strong>{contact.name ?? '—'}</strong>
                      </a>
                    </td>
                    <td className="mono">{contact.phone ?? contactLabel(contact)}</td>
                    <td>
                      <span className="row wrap" style={{ gap: 4 }}>
                        {contact.tags.map((name) => (
                          <span key={name} className="badge">
                            {name}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td>
                      <ConsentBadge contact={contact} />
                    </td>
                    <td className="small muted">{formatDateTime(contact.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages.length > 0 || contacts.data?.nextCursor ? (
          <div className="row" style={{ padding: 12 }}>
            <button
              type="button"
              className="button small"
              disabled={pages.length === 0}
              onClick={() => setPages(pages.slice(0, -1))}
            >
              Previous
            </button>
            <span className="spacer" />
            <button
              type="button"
              className="button small"
              disabled={!contacts.data?.nextCursor}
              onClick={() => contacts.data?.nextCursor && setPages([...pages, contacts.data.nextCursor])}
            >
              Next
            </button>
          </div>
        ) : null}
      </section>
      {imports.data && imports.data.data.length > 0 ? (
        <section className="card" style={{ marginTop: 16 }} aria-label="Recent imports">
          <h2 style={{ marginBottom: 10 }}>Recent imports</h2>
          <div className="stack tight">
            {imports.data.data.map((view) =>
              view.state === 'completed' || view.state === 'failed' ? (
                <div key={view.id}>
                  <span className="small muted">{formatDateTime(view.createdAt)}</span>
                  <ImportSummary view={view} />
                </div>
              ) : (
                <div key={view.id} className="banner">
                  Import of {formatDateTime(view.createdAt)}: {view.state}, {formatNumber(view.rowsRead)} rows
                  read so far
                </div>
              ),
            )}
          </div>
        </section>
      ) : null}
      {isImportOpen ? (
        <Modal title="Import contacts" onClose={() => setIsImportOpen(false)}>
          <ImportPanel onImported={onImported} />
        </Modal>
      ) : null}
    </div>
  );
}

export function ConsentBadge({ contact }: { contact: Contact }) {
  if (contact.optedOutAt) return <span className="badge danger">Opted out</span>;
  if (contact.isDoNotContact) return <span className="badge danger">Do not contact</span>;
  if (contact.marketingOptedOutAt) return <span className="badge warn">No marketing</span>;
  return <span className="badge ok">Subscribed</span>;
}
