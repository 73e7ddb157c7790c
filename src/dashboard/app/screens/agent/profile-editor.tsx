import { type FormEvent, useEffect, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { ErrorState, LoadingState } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { humanize } from '../../lib/format.ts';
import { useIsAdmin } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import { useResource } from '../../lib/use-resource.ts';

export interface AgentProfile {
  persona: string;
  companyName: string;
  companyInfo: string;
  goal: 'qualify' | 'book' | 'sell';
  fields: Array<{ name: string; question: string; questionByLanguage?: Record<string, string> }>;
  objectionNotes: string;
  languages: string[];
  allowedTools: string[];
  maxTurns: number;
  maxCostUsd: number;
  businessHours: { timeZone: string; days: number[]; from: string; to: string } | null;
}

interface ProfileView {
  isDefault: boolean;
  isEnabled: boolean;
  profile: AgentProfile;
  windowClosedTemplate: { name: string; languageCode: string; category: string } | null;
  updatedAt: string | null;
}

const TOOLS = [
  'record_lead_fields',
  'set_outcome',
  'schedule_callback',
  'send_media',
  'hand_off',
  'opt_out',
  'end_conversation',
];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The agent's profile: who it is, what it sells, what it must find out, and how far it may go. */
export function ProfileEditor() {
  const isAdmin = useIsAdmin();
  const toast = useToast();
  const view = useResource(() => api.get<ProfileView>('/agent/profile'), []);
  const [draft, setDraft] = useState<AgentProfile | null>(null);
  const [isEnabled, setIsEnabled] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);

  useEffect(() => {
    if (view.data) {
      setDraft(view.data.profile);
      setIsEnabled(view.data.isEnabled);
    }
  }, [view.data]);

  if (view.isLoading || (!draft && !view.error)) return <LoadingState rows={6} label="Loading the profile" />;
  if (!draft) return <ErrorState error={view.error} onRetry={() => void view.reload()} />;

  const set = <K extends keyof AgentProfile>(key: K, value: AgentProfile[K]) =>
    setDraft({ ...draft, [key]: value });
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setIsSaving(true);
    setError(null);
    try {
      view.setData(
        await api.put<ProfileView>('/agent/profile', {
          profile: draft,
          isEnabled,
          windowClosedTemplate: view.data?.windowClosedTemplate ?? null,
        }),
      );
      toast('Profile saved: the agent uses it from its next turn');
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsSaving(false);
    }
  };

  return (
    <form className="stack" onSubmit={(event) => void save(event)} aria-label="Agent profile">
      {view.data?.isDefault ? (
        <div className="banner">
          <Icon name="info" size={18} />
          <span>
            This is the default profile Coxcox starts with. Make it yours: the agent speaks for your company.
          </span>
        </div>
      ) : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <fieldset disabled={!isAdmin} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={isEnabled}
            onChange={(event) => setIsEnabled(event.target.checked)}
          />{' '}
          The agent answers customers (off: every conversation waits for a person)
        </label>
        <div className="grid-2">
          <Field label="Company name">
            <input
              className="input"
              name="company-name"
              value={draft.companyName}
              onChange={(event) => set('companyName', event.target.value)}
            />
          </Field>
          <Field label="Goal">
            <select
              className="input"
              value={draft.goal}
              onChange={(event) => set('goal', event.target.value as AgentProfile['goal'])}
            >
              <option value="qualify">Qualify leads</option>
              <option value="book">Book a meeting or a callback</option>
              <option value="sell">Sell</option>
            </select>
          </Field>
        </div>
        <Field label="Persona and tone" hint="How the agent writes: short and warm, formal, playful…">
          <textarea
            className="input"
            name="persona"
            rows={2}
            value={draft.persona}
            onChange={(event) => set('persona', event.target.value)}
          />
        </Field>
        <Field
          label="About the company and its products"
          hint="Prices and facts belong in the knowledge base: the agent only quotes those."
        >
          <textarea
            className="input"
            name="company-info"
            rows={4}
            value={draft.companyInfo}
            onChange={(event) => set('companyInfo', event.target.value)}
          />
        </Field>
        <Field label="Objection handling">
          <textarea
            className="input"
            rows={3}
            value={draft.objectionNotes}
            onChange={(event) => set('objectionNotes', event.target.value)}
          />
        </Field>
        <div className="card stack" style={{ padding: 12 }}>
          <div className="row">
            <h3 className="spacer">Fields to collect</h3>
            <button
              type="button"
              className="button small"
              onClick={() => set('fields', [...draft.fields, { name: '', question: '' }])}
            >
              <Icon name="plus" size={14} /> Add field
            </button>
          </div>
          {draft.fields.length === 0 ? (
            <p className="muted small">No fields: the agent will just talk.</p>
          ) : null}
          {draft.fields.map((field, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place, by position.
            <div key={index} className="row">
              <input
                className="input"
                style={{ maxWidth: 180 }}
                aria-label={`Field ${index + 1} name`}
                placeholder="budget"
                value={field.name}
                onChange={(event) =>
                  set(
                    'fields',
                    draft.fields.map((item, at) =>
                      at === index ? { ...item, name: event.target.value } : item,
                    ),
                  )
                }
              />
              <input
                className="input"
                aria-label={`Field ${index + 1} question`}
                placeholder="What budget do you have in mind?"
                value={field.question}
                onChange={(event) =>
                  set(
                    'fields',
                    draft.fields.map((item, at) =>
                      at === index ? { ...item, question: event.target.value } : item,
                    ),
                  )
                }
              />
              <button
                type="button"
                className="icon-button"
                onClick={() =>
                  set(
                    'fields',
                    draft.fields.filter((_, at) => at !== index),
                  )
                }
              >
                <Icon name="close" size={16} label={`Remove field ${index + 1}`} />
              </button>
            </div>
          ))}
        </div>
        <div className="grid-3">
          <Field label="Languages" hint="ISO codes, comma-separated: en, es, pt">
            <input
              className="input"
              value={draft.languages.join(', ')}
              onChange={(event) =>
                set(
                  'languages',
                  event.target.value
                    .split(',')
                    .map((code) => code.trim().toLowerCase())
                    .filter(Boolean),
                )
              }
            />
          </Field>
          <Field label="Turns per conversation, at most">
            <input
              className="input"
              type="number"
              min={1}
              max={1000}
              value={draft.maxTurns}
              onChange={(event) => set('maxTurns', Number(event.target.value))}
            />
          </Field>
          <Field label="Cost per conversation, at most (USD)">
            <input
              className="input"
              type="number"
              min={0}
              step={0.01}
              value={draft.maxCostUsd}
              onChange={(event) => set('maxCostUsd', Number(event.target.value))}
            />
          </Field>
        </div>
        <fieldset className="card stack" style={{ padding: 12 }}>
          <legend className="small" style={{ fontWeight: 700 }}>
            Tools the agent may use (none checked: all)
          </legend>
          <div className="row wrap">
            {TOOLS.map((tool) => (
              <label key={tool} className="checkbox">
                <input
                  type="checkbox"
                  checked={draft.allowedTools.includes(tool)}
                  onChange={(event) =>
                    set(
                      'allowedTools',
                      event.target.checked
                        ? [...draft.allowedTools, tool]
                        : draft.allowedTools.filter((name) => name !== tool),
                    )
                  }
                />
                {humanize(tool)}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="card stack" style={{ padding: 12 }}>
          <legend className="small" style={{ fontWeight: 700 }}>
            Business hours for handing off to a person
          </legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.businessHours !== null}
              onChange={(event) =>
                set(
                  'businessHours',
                  event.target.checked
                    ? {
                        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
                        days: [1, 2, 3, 4, 5],
                        from: '09:00',
                        to: '18:00',
                      }
                    : null,
                )
              }
            />
            People answer only in business hours (outside them, the agent says when someone will)
          </label>
          {draft.businessHours ? (
            <div className="row wrap">
              {DAYS.map((day, index) => (
                <label key={day} className="checkbox">
                  <input
                    type="checkbox"
                    checked={draft.businessHours?.days.includes(index) ?? false}
                    onChange={(event) =>
                      draft.businessHours &&
                      set('businessHours', {
                        ...draft.businessHours,
                        days: event.target.checked
                          ? [...draft.businessHours.days, index].sort()
                          : draft.businessHours.days.filter((value) => value !== index),
                      })
                    }
                  />
                  {day}
                </label>
              ))}
              <input
                className="input"
                type="time"
                style={{ width: 'auto' }}
                aria-label="From"
                value={draft.businessHours.from}
                onChange={(event) =>
                  draft.businessHours &&
                  set('businessHours', { ...draft.businessHours, from: event.target.value })
                }
              />
              <input
                className="input"
                type="time"
                style={{ width: 'auto' }}
                aria-label="To"
                value={draft.businessHours.to}
                onChange={(event) =>
                  draft.businessHours &&
                  set('businessHours', { ...draft.businessHours, to: event.target.value })
                }
              />
              <input
                className="input"
                style={{ width: 200 }}
                aria-label="Time zone"
                value={draft.businessHours.timeZone}
                onChange={(event) =>
                  draft.businessHours &&
                  set('businessHours', { ...draft.businessHours, timeZone: event.target.value })
                }
              />
            </div>
          ) : null}
        </fieldset>
      </fieldset>
      {isAdmin ? (
        <div className="row">
          <span className="spacer" />
          <button type="submit" className="button primary" disabled={isSaving}>
            {isSaving ? 'Saving…' : 'Save profile'}
          </button>
        </div>
      ) : (
        <p className="muted small">Only admins can change the agent.</p>
      )}
    </form>
  );
}
