import { AppLink } from '../../components/app-link.tsx';
import { Icon } from '../../components/icon.tsx';
import { contactLabel, formatDateTime, formatUsd, humanize } from '../../lib/format.ts';
import type { ConversationDetail } from '../../lib/types.ts';

/** Beside the thread: the contact, what the agent learnt (lead fields, outcome) and its notes for people. */
export function LeadPanel({
  conversation,
  isOpen,
  onClose,
}: {
  conversation: ConversationDetail;
  isOpen: boolean;
  onClose: () => void;
}) {
  const fields = Object.entries(conversation.leadFields);
  return (
    <aside className={`details ${isOpen ? 'open' : ''}`} aria-label="Lead details">
      <div className="row">
        <h2 className="spacer">Lead</h2>
        <button type="button" className="icon-button details-close" onClick={onClose}>
          <Icon name="close" label="Close details" />
        </button>
      </div>
      <section>
        <h3>Contact</h3>
        <dl className="kv">
          <dt>Name</dt>
          <dd>{conversation.contact.name ?? '—'}</dd>
          <dt>{conversation.contact.waId ? 'Number' : 'WhatsApp'}</dt>
          <dd>{contactLabel(conversation.contact)}</dd>
          <dt>Consent</dt>
          <dd>
            {conversation.contact.optedOutAt ? (
              <span className="badge danger">Opted out</span>
            ) : conversation.contact.marketingOptedOutAt ? (
              <span className="badge warn">No marketing</span>
            ) : (
              <span className="badge ok">Subscribed</span>
            )}
          </dd>
        </dl>
        <AppLink href={`/contacts/${conversation.contact.id}`} className="small">
          Open contact
        </AppLink>
      </section>
      <section>
        <h3>Status</h3>
        <dl className="kv">
          <dt>Answering</dt>
          <dd>
            {conversation.owner === 'human' ? (
              <span className="badge human">Human</span>
            ) : (
              <span className="badge brand">AI agent</span>
            )}
          </dd>
          <dt>Outcome</dt>
          <dd data-testid="lead-outcome">{conversation.outcome ? humanize(conversation.outcome) : '—'}</dd>
          {conversation.campaignId ? (
            <>
              <dt>Campaign</dt>
              <dd>
                <AppLink href={`/campaigns/${conversation.campaignId}`}>View campaign</AppLink>
              </dd>
            </>
          ) : null}
          <dt>Agent turns</dt>
          <dd>
            {conversation.agentTurnCount} · {formatUsd(conversation.agentCostUsd)}
          </dd>
        </dl>
      </section>
      <section>
        <h3>Lead fields</h3>
        {fields.length === 0 ? (
          <p className="muted small">The agent has not collected anything yet.</p>
        ) : (
          <dl className="kv" data-testid="lead-fields">
            {fields.map(([key, value]) => (
              <div key={key} style={{ display: 'contents' }}>
                <dt>{humanize(key)}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section>
        <h3>Agent notes</h3>
        {conversation.handoff ? (
          <div className="note" style={{ marginBottom: 8 }}>
            <strong>
              Handed to a human
              {conversation.handoff.reason ? `: ${humanize(conversation.handoff.reason)}` : ''}
            </strong>
            {conversation.handoff.summary ? `\n${conversation.handoff.summary}` : ''}
            <div className="small muted">{formatDateTime(conversation.handoff.at)}</div>
          </div>
        ) : null}
        {conversation.summary ? (
          <p style={{ whiteSpace: 'pre-wrap' }}>{conversation.summary}</p>
        ) : !conversation.handoff ? (
          <p className="muted small">
            No notes yet: the agent writes a running summary as the conversation goes on.
          </p>
        ) : null}
      </section>
      {conversation.callbacks && conversation.callbacks.length > 0 ? (
        <section>
          <h3>Callbacks</h3>
          <ul className="stack tight" style={{ margin: 0, paddingLeft: 18 }}>
            {conversation.callbacks.map((callback) => (
              <li key={callback.id}>
                {callback.localTime} ({callback.timeZone}) · {humanize(callback.state)}
                {callback.note ? ` · ${callback.note}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </aside>
  );
}
