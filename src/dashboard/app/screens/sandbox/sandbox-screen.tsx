import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { AppLink } from '../../components/app-link.tsx';
import { Avatar } from '../../components/avatar.tsx';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { formatPhone, formatTime, humanize } from '../../lib/format.ts';
import { useLiveEvents } from '../../lib/live-events.tsx';
import { useSession } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { ConversationDetail, Thread, ThreadMessage } from '../../lib/types.ts';
import { throttle, useResource } from '../../lib/use-resource.ts';
import { MessageContent } from '../inbox/message-content.tsx';

interface SandboxInfo {
  isAvailable: boolean;
  reason: 'not-sandbox-mode' | 'other-tenant' | null;
  businessNumber: { phoneNumberId: string; displayPhoneNumber: string } | null;
  personas: Array<{ waId: string; name: string; profile: string; language: string }>;
}

/** A number of our own for "you", so your chats do not mix with the simulator's scripted personas. */
const DEFAULT_CUSTOMER = { waId: '5511900000099', name: 'You (sandbox)' };

/**
 * A simulated phone: you write as a customer, the simulator sends Meta's signed webhook to Coxcox, and
 * the agent's answer arrives here as it would on WhatsApp. Beside it, what the business side sees.
 */
export function SandboxScreen() {
  const { session } = useSession();
  const info = useResource(() => api.get<SandboxInfo>('/sandbox'), []);
  const [customer, setCustomer] = useState(DEFAULT_CUSTOMER);

  if (info.isLoading) {
    return (
      <div className="page">
        <LoadingState rows={5} label="Starting the sandbox" />
      </div>
    );
  }
  if (!info.data) {
    return (
      <div className="page">
        <ErrorState
          error={info.error}
          title="The sandbox could not be loaded"
          onRetry={() => void info.reload()}
        />
      </div>
    );
  }
  if (!info.data.isAvailable) {
    return (
      <div className="page">
        <PageHeader title="Sandbox" />
        <div className="card">
          <EmptyState
            icon="sandbox"
            title={
              info.data.reason === 'other-tenant'
                ? 'This company has no simulated number'
                : 'The sandbox is off'
            }
          >
            {info.data.reason === 'other-tenant'
              ? "The simulated phone writes to a number that lives in the built-in simulator. Connect one through a setup link's sandbox signup, then come back here."
              : 'Coxcox runs against real WhatsApp here (WhatsApp credentials are configured), so there is no simulated phone. Use the Agent screen’s playground to try the agent.'}
          </EmptyState>
        </div>
      </div>
    );
  }
  const data = info.data;
  return (
    <div className="page">
      <PageHeader
        title="Sandbox"
        description={`Chat with your agent as a customer would. Messages go through the simulated WhatsApp Cloud API to ${formatPhone(data.businessNumber?.displayPhoneNumber)}, exactly like real ones.`}
      />
      <div className="sandbox">
        <Phone key={customer.waId} customer={customer} businessName={session.tenant.name} />
        <div className="stack">
          <section className="card stack" aria-label="Customer">
            <h2>Who you are</h2>
            <CustomerPicker customer={customer} personas={data.personas} onChange={setCustomer} />
          </section>
          <BusinessSide customerWaId={customer.waId} />
        </div>
      </div>
    </div>
  );
}

function CustomerPicker({
  customer,
  personas,
  onChange,
}: {
  customer: { waId: string; name: string };
  personas: SandboxInfo['personas'];
  onChange: (customer: { waId: string; name: string }) => void;
}) {
  const [waId, setWaId] = useState(customer.waId);
  const [name, setName] = useState(customer.name);
  return (
    <>
      <div className="grid-2">
        <Field label="Your number" hint="Country code and number, digits only">
          <input
            className="input"
            name="customer-number"
            value={waId}
            onChange={(event) => setWaId(event.target.value.replace(/\D/g, ''))}
          />
        </Field>
        <Field label="Your name">
          <input
            className="input"
            name="customer-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
      </div>
      <div className="row wrap">
        <button
          type="button"
          className="button"
          disabled={waId.length < 8}
          onClick={() => onChange({ waId, name: name || 'Customer' })}
        >
          Use this number
        </button>
        {personas.length > 0 ? (
          <span className="small muted">or be one of the simulator's customers:</span>
        ) : null}
        {personas.map((persona) => (
          <button
            key={persona.waId}
            type="button"
            className="chip"
            aria-pressed={persona.waId === customer.waId}
            onClick={() => {
              setWaId(persona.waId);
              setName(persona.name);
              onChange({ waId: persona.waId, name: persona.name });
            }}
          >
            {persona.name} · {persona.language}
          </button>
        ))}
      </div>
    </>
  );
}

/** Finds the conversation of the simulated customer, once there is one, and follows it live. */
function useSandboxConversation(customerWaId: string) {
  const conversation = useResource(
    () => api.get<{ conversationId: string | null }>(`/sandbox/conversation?from=${customerWaId}`),
    [customerWaId],
  );
  const conversationId = conversation.data?.conversationId ?? null;
  const thread = useResource(
    () =>
      conversationId
        ? api.get<Thread>(`/inbox/conversations/${conversationId}/thread`)
        : Promise.resolve({ messages: [], unsent: [] } as Thread),
    [conversationId],
  );
  const refresh = useMemo(
    () =>
      throttle(() => {
        if (conversationId) void thread.reload();
        else void conversation.reload();
      }, 250),
    [conversationId, thread.reload, conversation.reload],
  );
  useLiveEvents((event) => {
    if (event.type === 'resync') refresh();
    else if ('conversationId' in event && (!conversationId || event.conversationId === conversationId))
      refresh();
  });
  return { conversationId, thread, refresh };
}

function Phone({
  customer,
  businessName,
}: {
  customer: { waId: string; name: string };
  businessName: string;
}) {
  const toast = useToast();
  const { thread, refresh } = useSandboxConversation(customer.waId);
  const [text, setText] = useState('');
  const [waitingSince, setWaitingSince] = useState<number | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const messages = [...(thread.data?.messages ?? []), ...(thread.data?.unsent ?? [])];
  const last = messages[messages.length - 1];
  const lastKey = last ? `${last.id}:${messages.length}` : '';

  // The "typing…" bubble shows from your message until the business answers (or 30 s pass).
  useEffect(() => {
    if (last?.direction === 'out') setWaitingSince(null);
  }, [last?.direction]);
  useEffect(() => {
    if (waitingSince === null) return;
    const timer = setTimeout(() => setWaitingSince(null), 30_000);
    return () => clearTimeout(timer);
  }, [waitingSince]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [lastKey, waitingSince]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText('');
    try {
      await api.post('/sandbox/messages', { from: customer.waId, name: customer.name, text: body });
      setWaitingSince(Date.now());
      refresh();
    } catch (error) {
      setText(body);
      toast(errorMessage(error), 'error');
    }
  };

  return (
    <section className="phone" aria-label="Simulated phone">
      <div className="phone-top">
        <Avatar name={businessName} size={34} />
        <div className="spacer">
          <strong>{businessName}</strong>
          <div className="small" style={{ opacity: 0.8 }}>
            {waitingSince ? 'typing…' : 'WhatsApp Business'}
          </div>
        </div>
      </div>
      <div className="messages" data-testid="phone-messages">
        {messages.length === 0 ? (
          <div className="day-divider">Say hello to start the conversation</div>
        ) : (
          messages.map((message) => <PhoneBubble key={message.id} message={message} />)
        )}
        {waitingSince ? (
          <div className="typing" role="status" aria-label="The business is typing">
            <span />
            <span />
            <span />
          </div>
        ) : null}
        <div ref={bottom} />
      </div>
      <form className="phone-input" onSubmit={(event) => void send(event)}>
        <input
          aria-label="Message as the customer"
          placeholder="Message"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" aria-label="Send as the customer">
          <Icon name="send" size={18} />
        </button>
      </form>
    </section>
  );
}

/** On the customer's phone, the customer's own messages are the green ones on the right. */
function PhoneBubble({ message }: { message: ThreadMessage }) {
  const isMine = message.direction === 'in';
  return (
    <div className={`bubble ${isMine ? 'out' : 'in'}`} data-direction={isMine ? 'customer' : 'business'}>
      <MessageContent message={message} />
      <div className="foot">{formatTime(message.at)}</div>
    </div>
  );
}

/** What the business sees of this conversation: who answers, the outcome and the lead fields. */
function BusinessSide({ customerWaId }: { customerWaId: string }) {
  const { conversationId } = useSandboxConversation(customerWaId);
  const detail = useResource(
    () =>
      conversationId
        ? api.get<ConversationDetail>(`/conversations/${conversationId}`)
        : Promise.resolve(null),
    [conversationId],
  );
  const refresh = useMemo(() => throttle(() => void detail.reload(), 500), [detail.reload]);
  useLiveEvents((event) => {
    if ('conversationId' in event && event.conversationId === conversationId) refresh();
  });
  const conversation = detail.data;
  return (
    <section className="card stack" aria-label="Business side">
      <div className="row">
        <h2 className="spacer">What your team sees</h2>
        {conversationId ? (
          <AppLink href={`/inbox/${conversationId}`} className="button small">
            <Icon name="inbox" size={14} /> Open in the inbox
          </AppLink>
        ) : null}
      </div>
      {!conversation ? (
        <p className="muted">Write a message on the phone: the conversation appears here and in the inbox.</p>
      ) : (
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
          <dd>{conversation.outcome ? humanize(conversation.outcome) : '—'}</dd>
          {Object.entries(conversation.leadFields).map(([key, value]) => (
            <div key={key} style={{ display: 'contents' }}>
              <dt>{humanize(key)}</dt>
              <dd>{value}</dd>
            </div>
          ))}
          {conversation.summary ? (
            <>
              <dt>Notes</dt>
              <dd style={{ whiteSpace: 'pre-wrap' }}>{conversation.summary}</dd>
            </>
          ) : null}
        </dl>
      )}
    </section>
  );
}
