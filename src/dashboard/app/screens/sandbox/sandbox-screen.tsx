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
  /** Whether the personas answer by themselves (scripted): labelled on the phone, and switchable here. */
  canPersonasReply: boolean;
}

/** What the phone shows beyond the thread, as the simulator saw it (GET /sandbox/phone). */
interface PhoneState {
  /** The business marked our message read with a typing bubble: until its next message, or 25 s. */
  typingUntil: string | null;
  persona: { name: string; profile: string } | null;
  canPersonasReply: boolean;
  scripted: Array<{ messageId: string; persona: string }>;
  quickReplies: Array<{ messageId: string; wamid: string; buttons: QuickReply[] }>;
}

interface QuickReply {
  text: string;
  payload: string;
}

/** How often the phone asks whether the business is typing: a read mark produces no inbox event. */
const PHONE_POLL_MS = 1000;

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
            <PersonaSwitch
              canPersonasReply={data.canPersonasReply}
              onChange={(canPersonasReply) => info.setData({ ...data, canPersonasReply })}
            />
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

/**
 * The personas are the simulator's customers that a campaign reaches: they answer by themselves, from a
 * script. Off, nothing is sent that nobody typed. Whatever they write is labelled on the phone.
 */
function PersonaSwitch({
  canPersonasReply,
  onChange,
}: {
  canPersonasReply: boolean;
  onChange: (canPersonasReply: boolean) => void;
}) {
  const toast = useToast();
  const [isSaving, setIsSaving] = useState(false);
  // The box follows the click at once, and goes back if the server refuses.
  const [isChecked, setIsChecked] = useState(canPersonasReply);
  useEffect(() => setIsChecked(canPersonasReply), [canPersonasReply]);
  const change = async (next: boolean) => {
    setIsChecked(next);
    setIsSaving(true);
    try {
      const saved = await api.put<{ canPersonasReply: boolean }>('/sandbox/settings', {
        canPersonasReply: next,
      });
      setIsChecked(saved.canPersonasReply);
      onChange(saved.canPersonasReply);
    } catch (error) {
      setIsChecked(canPersonasReply);
      toast(errorMessage(error), 'error');
    } finally {
      setIsSaving(false);
    }
  };
  return (
    <label className="checkbox">
      <input
        type="checkbox"
        name="personas-reply"
        checked={isChecked}
        disabled={isSaving}
        onChange={(event) => void change(event.target.checked)}
      />{' '}
      Scripted personas answer by themselves (the simulator's customers reply to campaigns and to the agent;
      what they write is labelled)
    </label>
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

/** What the simulator says the phone shows: the business typing, scripted messages, buttons to tap. */
function usePhoneState(customerWaId: string) {
  const state = useResource(() => api.get<PhoneState>(`/sandbox/phone?from=${customerWaId}`), [customerWaId]);
  useEffect(() => {
    const timer = setInterval(() => void state.reload(), PHONE_POLL_MS);
    return () => clearInterval(timer);
  }, [state.reload]);
  return state;
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
  const phone = usePhoneState(customer.waId);
  const [text, setText] = useState('');
  const bottom = useRef<HTMLDivElement>(null);
  const messages = [...(thread.data?.messages ?? []), ...(thread.data?.unsent ?? [])];
  const last = messages[messages.length - 1];
  const lastKey = last ? `${last.id}:${messages.length}` : '';
  // "typing…" only when the business really marked our message read with a typing bubble (the agent is
  // composing), never guessed from our own send: a human's conversation or an opt-out shows none.
  const isTyping = Boolean(phone.data?.typingUntil) && last?.direction !== 'out';
  const scripted = new Map((phone.data?.scripted ?? []).map((entry) => [entry.messageId, entry.persona]));
  const quickReplies = new Map((phone.data?.quickReplies ?? []).map((entry) => [entry.messageId, entry]));

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when a message arrives.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [lastKey, isTyping]);

  const post = async (body: { text: string } | { button: QuickReply; replyTo: string }) => {
    await api.post('/sandbox/messages', { from: customer.waId, name: customer.name, ...body });
    refresh();
    void phone.reload();
  };
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText('');
    try {
      await post({ text: body });
    } catch (error) {
      setText(body);
      toast(errorMessage(error), 'error');
    }
  };
  const tap = async (button: QuickReply, replyTo: string) => {
    try {
      await post({ button, replyTo });
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  return (
    <section className="phone" aria-label="Simulated phone">
      <div className="phone-top">
        <Avatar name={businessName} size={34} />
        <div className="spacer">
          <strong>{businessName}</strong>
          <div className="small" style={{ opacity: 0.8 }} data-testid="phone-status">
            {isTyping ? 'typing…' : 'WhatsApp Business'}
          </div>
        </div>
      </div>
      {phone.data?.persona ? (
        <div className="phone-persona small" data-testid="phone-persona">
          You are writing as <strong>{phone.data.persona.name}</strong>, a scripted persona (
          {humanize(phone.data.persona.profile)}).{' '}
          {phone.data.canPersonasReply
            ? 'It also answers by itself: its own messages are labelled.'
            : 'Scripted answers are off: only what you type is sent.'}
        </div>
      ) : null}
      <div className="messages" data-testid="phone-messages">
        {messages.length === 0 ? (
          <div className="day-divider">Say hello to start the conversation</div>
        ) : (
          messages.map((message) => {
            const buttons = quickReplies.get(message.id);
            return (
              <PhoneBubble
                key={message.id}
                message={message}
                scriptedBy={scripted.get(message.id) ?? null}
                buttons={buttons?.buttons ?? []}
                onTap={(button) => buttons && void tap(button, buttons.wamid)}
              />
            );
          })
        )}
        {isTyping ? (
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

/**
 * On the customer's phone, the customer's own messages are the green ones on the right. A message a
 * scripted persona wrote by itself says so; a template's quick-reply buttons can be tapped.
 */
function PhoneBubble({
  message,
  scriptedBy,
  buttons,
  onTap,
}: {
  message: ThreadMessage;
  scriptedBy: string | null;
  buttons: QuickReply[];
  onTap: (button: QuickReply) => void;
}) {
  const isMine = message.direction === 'in';
  return (
    <div className={`bubble ${isMine ? 'out' : 'in'}`} data-direction={isMine ? 'customer' : 'business'}>
      {scriptedBy ? (
        <div className="sender scripted" data-testid="scripted-label">
          scripted persona: {scriptedBy}
        </div>
      ) : null}
      <MessageContent message={message} />
      {buttons.length > 0 ? (
        <div className="quick-replies">
          {buttons.map((button) => (
            <button key={`${button.payload}|${button.text}`} type="button" onClick={() => onTap(button)}>
              {button.text}
            </button>
          ))}
        </div>
      ) : null}
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
