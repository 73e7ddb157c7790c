import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Icon } from '../../components/icon.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { humanize } from '../../lib/format.ts';

interface PlaygroundLine {
  speaker: 'customer' | 'agent' | 'tool';
  text: string;
}

interface PlaygroundAnswer {
  replies: string[];
  media: Array<{ title: string; kind: string | null; caption: string | null }>;
  toolCalls: Array<{ name: string; arguments?: unknown; args?: unknown; result?: unknown }>;
  leadFields: Record<string, string>;
  outcome: string | null;
  handedOff: boolean;
  optedOut: boolean;
  isEnded: boolean;
  model: string;
  latencyMs: number;
}

/**
 * Talk to the agent before it goes live: the same model, knowledge and tools as a real turn, with the
 * tools acting in memory. Nothing is sent and nothing is stored.
 */
export function Playground() {
  const [lines, setLines] = useState<PlaygroundLine[]>([]);
  const [leadFields, setLeadFields] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [isThinking, setIsThinking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [last, setLast] = useState<PlaygroundAnswer | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the chat grows.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [lines.length, isThinking]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const message = text.trim();
    if (!message || isThinking) return;
    setText('');
    setError(null);
    const history = lines
      .filter((line) => line.speaker !== 'tool')
      .map((line) => ({ speaker: line.speaker, text: line.text }));
    setLines((previous) => [...previous, { speaker: 'customer', text: message }]);
    setIsThinking(true);
    try {
      const answer = await api.post<PlaygroundAnswer>('/agent/playground', {
        history,
        messages: [message],
        leadFields,
      });
      setLast(answer);
      setLeadFields(answer.leadFields);
      if (answer.outcome) setOutcome(answer.outcome);
      setLines((previous) => [
        ...previous,
        ...answer.toolCalls.map((call) => ({
          speaker: 'tool' as const,
          text: `${call.name}(${JSON.stringify(call.arguments ?? call.args ?? {})})`,
        })),
        ...answer.media.map((item) => ({
          speaker: 'agent' as const,
          text: `📎 ${item.title}${item.caption ? `: ${item.caption}` : ''}`,
        })),
        ...answer.replies.map((reply) => ({ speaker: 'agent' as const, text: reply })),
      ]);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsThinking(false);
    }
  };

  const reset = () => {
    setLines([]);
    setLeadFields({});
    setOutcome(null);
    setLast(null);
    setError(null);
  };

  return (
    <div
      className="grid-2"
      style={{ alignItems: 'start', gridTemplateColumns: 'minmax(0, 3fr) minmax(0, 2fr)' }}
    >
      <section className="chat-box" aria-label="Playground chat">
        <div className="messages" data-testid="playground-messages">
          {lines.length === 0 ? (
            <div className="day-divider">Write as a customer would: “Hi, how much is it?”</div>
          ) : null}
          {lines.map((line, index) =>
            line.speaker === 'tool' ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: the chat only grows.
              <div key={index} className="tool-call">
                {line.text}
              </div>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: the chat only grows.
              <div key={index} className={`bubble ${line.speaker === 'customer' ? 'out' : 'in'}`}>
                {line.text}
              </div>
            ),
          )}
          {isThinking ? (
            <div className="typing" role="status" aria-label="The agent is thinking">
              <span />
              <span />
              <span />
            </div>
          ) : null}
          <div ref={bottom} />
        </div>
        {error ? (
          <div className="banner danger" style={{ borderRadius: 0 }}>
            {error}
          </div>
        ) : null}
        <form className="phone-input" onSubmit={(event) => void send(event)}>
          <input
            aria-label="Message to the agent"
            placeholder="Message"
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit" aria-label="Send to the agent" disabled={isThinking}>
            <Icon name="send" size={18} />
          </button>
        </form>
      </section>
      <section className="card stack" aria-label="What the agent recorded">
        <div className="row">
          <h2 className="spacer">What the agent recorded</h2>
          <button type="button" className="button small" onClick={reset}>
            Start over
          </button>
        </div>
        <dl className="kv">
          <dt>Outcome</dt>
          <dd>{outcome ? humanize(outcome) : '—'}</dd>
          {Object.entries(leadFields).map(([key, value]) => (
            <div key={key} style={{ display: 'contents' }}>
              <dt>{humanize(key)}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        {last ? (
          <p className="small muted">
            {last.model} · {last.latencyMs} ms{last.handedOff ? ' · handed off to a person' : ''}
            {last.optedOut ? ' · the customer opted out' : ''}
            {last.isEnded ? ' · conversation ended' : ''}
          </p>
        ) : (
          <p className="small muted">
            Nothing is sent to WhatsApp and nothing is stored: tools act in memory.
          </p>
        )}
      </section>
    </div>
  );
}
