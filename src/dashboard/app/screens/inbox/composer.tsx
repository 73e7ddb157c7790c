import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { Icon } from '../../components/icon.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { formatDuration } from '../../lib/format.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { ConversationDetail, Template } from '../../lib/types.ts';
import { useResource } from '../../lib/use-resource.ts';
import { fillTemplateText, isSendable, templateBodyText, templateToSend } from './template-message.ts';
import { useWindowRemaining } from './window-countdown.ts';

/**
 * Replying by hand: free-form text inside the 24-hour window, an approved template outside it, with the
 * time left in the window shown. Sending takes the conversation over (the server does it), so the agent
 * never talks over a person.
 */
export function Composer({ conversation, onSent }: { conversation: ConversationDetail; onSent: () => void }) {
  const remainingMs = useWindowRemaining(conversation.lastInboundAt);
  const isWindowOpen = remainingMs > 0;
  const [mode, setMode] = useState<'text' | 'template'>('text');
  const effectiveMode = isWindowOpen ? mode : 'template';
  const [text, setText] = useState('');
  const [isSending, setIsSending] = useState(false);
  const toast = useToast();
  const templates = useResource(() => api.get<{ data: Template[] }>('/templates'), []);
  const sendable = (templates.data?.data ?? []).filter(isSendable);
  const [templateId, setTemplateId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const template = sendable.find((candidate) => candidate.id === templateId) ?? null;

  const send = async (body: unknown) => {
    setIsSending(true);
    try {
      await api.post(`/conversations/${conversation.id}/messages`, {
        ...(body as object),
        idempotencyKey: crypto.randomUUID(),
      });
      onSent();
      return true;
    } catch (error) {
      toast(errorMessage(error), 'error');
      return false;
    } finally {
      setIsSending(false);
    }
  };

  const submitText = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() || isSending) return;
    if (await send({ text: text.trim() })) setText('');
  };

  const submitTemplate = async (event: FormEvent) => {
    event.preventDefault();
    if (!template || isSending) return;
    if (await send({ template: templateToSend(template, values), category: template.category })) {
      setTemplateId('');
      setValues({});
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter starts a new line (as in WhatsApp Web).
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submitText();
    }
  };

  const isOptedOut = conversation.contact.optedOutAt !== null;
  return (
    <div className="composer">
      <div className="row wrap">
        <span className={`window-pill ${isWindowOpen ? '' : 'closed'}`} data-testid="service-window">
          <Icon name="clock" size={14} />
          {isWindowOpen
            ? `24-hour window open · ${formatDuration(remainingMs)} left`
            : 'Window closed · templates only'}
        </span>
        <span className="spacer" />
        {isWindowOpen ? (
          <div className="filter-chips" role="tablist" aria-label="Reply with">
            <button
              type="button"
              className="chip"
              role="tab"
              aria-selected={mode === 'text'}
              onClick={() => setMode('text')}
            >
              Message
            </button>
            <button
              type="button"
              className="chip"
              role="tab"
              aria-selected={mode === 'template'}
              onClick={() => setMode('template')}
            >
              Template
            </button>
          </div>
        ) : null}
      </div>
      {isOptedOut ? (
        <div className="banner danger">This contact opted out: Coxcox will not send them anything.</div>
      ) : effectiveMode === 'text' ? (
        <form className="composer-row" onSubmit={(event) => void submitText(event)}>
          <textarea
            className="input"
            aria-label="Reply"
            placeholder={
              conversation.owner === 'human'
                ? 'Write a reply…'
                : 'Write a reply (this takes the conversation over from the AI)…'
            }
            value={text}
            rows={1}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <button
            type="submit"
            className="button primary"
            disabled={isSending || !text.trim()}
            aria-label="Send"
          >
            <Icon name="send" size={18} />
          </button>
        </form>
      ) : (
        <form className="stack tight" onSubmit={(event) => void submitTemplate(event)}>
          {templates.error ? (
            <div className="banner danger">
              Templates could not be loaded: {errorMessage(templates.error)}
            </div>
          ) : sendable.length === 0 && !templates.isLoading ? (
            <div className="banner warn">
              No approved template yet. Sync them on the WhatsApp screen: outside the 24-hour window only
              templates can go.
            </div>
          ) : (
            <>
              <select
                className="input"
                aria-label="Template"
                value={templateId}
                onChange={(event) => setTemplateId(event.target.value)}
              >
                <option value="">Choose an approved template…</option>
                {sendable.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name} · {candidate.language} · {candidate.category.toLowerCase()}
                  </option>
                ))}
              </select>
              {template ? (
                <>
                  {template.parameters.body.map((key) => (
                    <input
                      key={key}
                      className="input"
                      aria-label={`Parameter ${key}`}
                      placeholder={`Value for {{${key}}}`}
                      value={values[key] ?? ''}
                      onChange={(event) => setValues({ ...values, [key]: event.target.value })}
                    />
                  ))}
                  <div className="bubble out" style={{ alignSelf: 'stretch', maxWidth: '100%' }}>
                    {fillTemplateText(templateBodyText(template), values)}
                  </div>
                </>
              ) : null}
              <div className="row">
                <span className="spacer" />
                <button
                  type="submit"
                  className="button primary"
                  disabled={
                    !template || isSending || template.parameters.body.some((key) => !values[key]?.trim())
                  }
                >
                  <Icon name="send" size={16} /> Send template
                </button>
              </div>
            </>
          )}
        </form>
      )}
    </div>
  );
}
