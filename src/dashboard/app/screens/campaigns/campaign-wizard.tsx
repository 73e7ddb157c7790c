import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { AppLink } from '../../components/app-link.tsx';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../components/states.tsx';
import { api, errorMessage } from '../../lib/api.ts';
import { contactLabel, formatNumber, formatPhone, humanize } from '../../lib/format.ts';
import { navigate } from '../../lib/router.ts';
import { useToast } from '../../lib/toasts.tsx';
import type { Campaign, Contact, PhoneNumberHealth, Template, TemplatePreview } from '../../lib/types.ts';
import { useResource } from '../../lib/use-resource.ts';
import {
  initialMapping,
  type MappingDraft,
  mappingProblems,
  type ParameterSource,
  STANDARD_FIELDS,
  toParameterMapping,
} from './parameter-mapping.ts';
import { TemplatePreviewBubble } from './template-preview.tsx';

const STEPS = ['Basics', 'Template', 'Parameters', 'Audience', 'Schedule', 'Review'] as const;
type Step = (typeof STEPS)[number];

const splitTags = (text: string) =>
  text
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);

/**
 * Creating a campaign, one decision at a time: name and number, an approved template (previewed), where
 * each of its parameters comes from (previewed with a real contact), who to reach, and when. The server
 * checks the template and mapping again, and names every problem.
 */
export function CampaignWizard() {
  const toast = useToast();
  const [step, setStep] = useState<Step>('Basics');
  const [name, setName] = useState('');
  const [phoneNumberId, setPhoneNumberId] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [mapping, setMapping] = useState<MappingDraft>({ header: {}, body: {} });
  const [tags, setTags] = useState('');
  const [excludeTags, setExcludeTags] = useState('');
  const [startMode, setStartMode] = useState<'now' | 'later'>('now');
  const [startAt, setStartAt] = useState('');
  const [sendingFrom, setSendingFrom] = useState('09:00');
  const [sendingUntil, setSendingUntil] = useState('20:00');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [dailyCap, setDailyCap] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const [isSyncing, setIsSyncing] = useState(false);

  const overview = useResource(() => api.get<{ numbers: PhoneNumberHealth[] }>('/whatsapp/overview'), []);
  const templates = useResource(() => api.get<{ data: Template[] }>('/templates'), []);
  const sampleContact = useResource(() => api.get<{ data: Contact[] }>('/contacts?limit=1'), []);
  // How many contacts the audience reaches, as the tags are typed (the server counts; a campaign plans the
  // same audience at launch).
  const audienceCount = useResource(
    () =>
      new Promise<{ matched: number; reachable: number }>((resolve, reject) => {
        setTimeout(() => {
          api
            .post<{ matched: number; reachable: number }>('/campaigns/audience-count', {
              audience: {
                ...(splitTags(tags).length > 0 ? { tags: splitTags(tags) } : {}),
                ...(splitTags(excludeTags).length > 0 ? { excludeTags: splitTags(excludeTags) } : {}),
              },
            })
            .then(resolve, reject);
        }, 250);
      }),
    [tags, excludeTags],
  );
  const audienceSummary = audienceCount.data
    ? `Reaches ${formatNumber(audienceCount.data.reachable)} contact${audienceCount.data.reachable === 1 ? '' : 's'}` +
      (audienceCount.data.matched > audienceCount.data.reachable
        ? ` (${formatNumber(audienceCount.data.matched - audienceCount.data.reachable)} more match but opted out or are on the do-not-contact list)`
        : '')
    : audienceCount.error
      ? 'Could not count the audience'
      : 'Counting…';
  const numbers = overview.data?.numbers ?? [];
  const approved = (templates.data?.data ?? []).filter((template) => template.status === 'APPROVED');
  const template = approved.find((candidate) => candidate.id === templateId) ?? null;
  const contact = sampleContact.data?.data[0] ?? null;
  const customFields = Object.keys(contact?.fields ?? {});

  useEffect(() => {
    if (!phoneNumberId && numbers[0]) setPhoneNumberId(numbers[0].phoneNumberId);
  }, [numbers, phoneNumberId]);

  const chooseTemplate = (id: string) => {
    setTemplateId(id);
    const chosen = approved.find((candidate) => candidate.id === id);
    if (chosen) setMapping(initialMapping(chosen));
  };

  const syncTemplates = async () => {
    setIsSyncing(true);
    try {
      templates.setData(await api.post<{ data: Template[] }>('/templates/sync'));
    } catch (caught) {
      toast(errorMessage(caught), 'error');
    } finally {
      setIsSyncing(false);
    }
  };

  const parameters = useMemo(
    () => (template ? toParameterMapping(template, mapping) : null),
    [template, mapping],
  );
  const problems = template ? mappingProblems(template, mapping) : [];

  const input = () => ({
    name: name.trim(),
    phoneNumberId: phoneNumberId || undefined,
    templateId,
    parameters,
    audience: {
      ...(splitTags(tags).length > 0 ? { tags: splitTags(tags) } : {}),
      ...(splitTags(excludeTags).length > 0 ? { excludeTags: splitTags(excludeTags) } : {}),
    },
    ...(startMode === 'later' && startAt ? { startAt: new Date(startAt).toISOString() } : {}),
    sendingHours: { from: sendingFrom, until: sendingUntil },
    timeZone,
    dailyCap: dailyCap ? Number(dailyCap) : null,
  });

  const create = async (shouldLaunch: boolean) => {
    setIsSaving(true);
    setError(null);
    try {
      const created = await api.post<Campaign>('/campaigns', input());
      if (shouldLaunch) await api.post(`/campaigns/${created.id}/launch`);
      toast(shouldLaunch ? 'Campaign launched' : 'Campaign saved as a draft');
      navigate(`/campaigns/${created.id}`);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setIsSaving(false);
    }
  };

  const stepIndex = STEPS.indexOf(step);
  const canContinue: Record<Step, boolean> = {
    Basics: name.trim().length > 0 && phoneNumberId !== '',
    Template: template !== null,
    Parameters: template !== null && problems.length === 0,
    Audience: true,
    Schedule:
      /^\d\d:\d\d$/.test(sendingFrom) &&
      /^\d\d:\d\d$/.test(sendingUntil) &&
      sendingFrom < sendingUntil &&
      (startMode === 'now' || startAt !== ''),
    Review: true,
  };

  let body: ReactNode;
  if (step === 'Basics') {
    body = (
      <div className="stack">
        <Field label="Campaign name" hint="For you and your team; customers never see it.">
          <input
            className="input"
            name="campaign-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="Spring offer"
          />
        </Field>
        <Field label="Sending number">
          {overview.isLoading ? (
            <Spinner />
          ) : numbers.length === 0 ? (
            <div className="banner warn">
              No WhatsApp number is connected. <AppLink href="/whatsapp">Connect one</AppLink> first.
            </div>
          ) : (
            <select
              className="input"
              value={phoneNumberId}
              onChange={(event) => setPhoneNumberId(event.target.value)}
            >
              {numbers.map((number) => (
                <option key={number.phoneNumberId} value={number.phoneNumberId}>
                  {number.verifiedName ?? 'Number'} · {formatPhone(number.displayPhoneNumber)} ·{' '}
                  {humanize(number.messagingTier ?? 'unknown tier')}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    );
  } else if (step === 'Template') {
    body = templates.isLoading ? (
      <LoadingState rows={3} label="Loading templates" />
    ) : templates.error && !templates.data ? (
      <ErrorState error={templates.error} onRetry={() => void templates.reload()} />
    ) : approved.length === 0 ? (
      <EmptyState
        icon="file"
        title="No approved templates yet"
        action={
          <button
            type="button"
            className="button primary"
            disabled={isSyncing}
            onClick={() => void syncTemplates()}
          >
            <Icon name="refresh" size={16} /> {isSyncing ? 'Syncing…' : 'Sync templates from WhatsApp'}
          </button>
        }
      >
        The first message of a campaign must be a template Meta approved. Sync the ones your WhatsApp Business
        Account has.
      </EmptyState>
    ) : (
      <div className="grid-2">
        <div className="stack tight" role="radiogroup" aria-label="Templates">
          {approved.map((candidate) => (
            <label
              key={candidate.id}
              className="card checkbox"
              style={{
                padding: 10,
                cursor: 'pointer',
                borderColor: candidate.id === templateId ? 'var(--brand)' : undefined,
              }}
            >
              <input
                type="radio"
                name="template"
                value={candidate.id}
                checked={candidate.id === templateId}
                onChange={() => chooseTemplate(candidate.id)}
              />
              <span className="spacer">
                <strong>{candidate.name}</strong>
                <span className="small muted" style={{ display: 'block' }}>
                  {candidate.language} · {humanize(candidate.category)} · {candidate.parameters.body.length}{' '}
                  parameter{candidate.parameters.body.length === 1 ? '' : 's'}
                </span>
              </span>
            </label>
          ))}
          <button
            type="button"
            className="button ghost small"
            disabled={isSyncing}
            onClick={() => void syncTemplates()}
          >
            <Icon name="refresh" size={14} /> {isSyncing ? 'Syncing…' : 'Sync again'}
          </button>
        </div>
        <div>
          {template ? (
            <SamplePreview template={template} />
          ) : (
            <p className="muted">Choose a template to see it as your customers will.</p>
          )}
        </div>
      </div>
    );
  } else if (step === 'Parameters' && template) {
    body = (
      <div className="grid-2">
        <div className="stack">
          {template.parameters.header.length + template.parameters.body.length === 0 ? (
            <p className="muted">This template has no parameters: everyone gets the same message.</p>
          ) : null}
          {(['header', 'body'] as const).flatMap((part) =>
            template.parameters[part].map((key) => (
              <ParameterRow
                key={`${part}-${key}`}
                label={`${part === 'header' ? 'Header' : 'Body'} {{${key}}}`}
                source={mapping[part][key] ?? { kind: 'text', value: '', fallback: '' }}
                fields={[...STANDARD_FIELDS, ...customFields]}
                onChange={(source) => setMapping({ ...mapping, [part]: { ...mapping[part], [key]: source } })}
              />
            )),
          )}
          {problems.length > 0 ? <div className="banner warn">{problems.join('; ')}</div> : null}
        </div>
        <div>
          <MappedPreview
            template={template}
            parameters={parameters}
            contactId={problems.length === 0 ? (contact?.id ?? null) : null}
          />
          <p className="small muted" style={{ marginTop: 6 }}>
            {contact
              ? `Previewed with ${contact.name ?? contactLabel(contact)}.`
              : 'Import contacts to preview with a real one.'}
          </p>
        </div>
      </div>
    );
  } else if (step === 'Audience') {
    body = (
      <div className="stack">
        <Field
          label="Contacts with any of these tags"
          hint="Comma-separated. Leave empty to reach every contact."
        >
          <input
            className="input"
            name="tags"
            value={tags}
            onChange={(event) => setTags(event.target.value)}
            placeholder="spring-list, vip"
          />
        </Field>
        <Field label="Leave out contacts with these tags">
          <input
            className="input"
            name="exclude-tags"
            value={excludeTags}
            onChange={(event) => setExcludeTags(event.target.value)}
            placeholder="customer"
          />
        </Field>
        <p className="muted" data-testid="audience-count" aria-live="polite">
          {audienceSummary}
        </p>
        <div className="banner">
          <Icon name="info" size={18} />
          <span>
            Contacts who opted out, and numbers on the do-not-contact list, are always left out, now and while
            the campaign runs.
          </span>
        </div>
      </div>
    );
  } else if (step === 'Schedule') {
    body = (
      <div className="stack">
        <div className="row wrap" role="radiogroup" aria-label="Start">
          <label className="checkbox">
            <input
              type="radio"
              name="start"
              checked={startMode === 'now'}
              onChange={() => setStartMode('now')}
            />{' '}
            Start as soon as it is launched
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="start"
              checked={startMode === 'later'}
              onChange={() => setStartMode('later')}
            />{' '}
            Start at
          </label>
          {startMode === 'later' ? (
            <input
              className="input"
              type="datetime-local"
              style={{ width: 'auto' }}
              aria-label="Start at"
              value={startAt}
              onChange={(event) => setStartAt(event.target.value)}
            />
          ) : null}
        </div>
        <div className="grid-3">
          <Field label="Send from" hint="In each contact's local time">
            <input
              className="input"
              type="time"
              name="sending-from"
              value={sendingFrom}
              onChange={(event) => setSendingFrom(event.target.value)}
            />
          </Field>
          <Field label="Send until">
            <input
              className="input"
              type="time"
              name="sending-until"
              value={sendingUntil}
              onChange={(event) => setSendingUntil(event.target.value)}
            />
          </Field>
          <Field label="Daily cap" hint="Most messages a day (optional)">
            <input
              className="input"
              type="number"
              min={1}
              name="daily-cap"
              value={dailyCap}
              onChange={(event) => setDailyCap(event.target.value)}
            />
          </Field>
        </div>
        <Field label="Time zone" hint="For contacts whose zone is unknown, and for the daily cap's day.">
          <input
            className="input"
            name="time-zone"
            value={timeZone}
            onChange={(event) => setTimeZone(event.target.value)}
          />
        </Field>
      </div>
    );
  } else {
    const number = numbers.find((candidate) => candidate.phoneNumberId === phoneNumberId);
    body = (
      <div className="stack">
        <dl className="kv">
          <dt>Name</dt>
          <dd>{name}</dd>
          <dt>Number</dt>
          <dd>
            {number
              ? `${number.verifiedName ?? ''} ${formatPhone(number.displayPhoneNumber)}`
              : phoneNumberId}
          </dd>
          <dt>Template</dt>
          <dd>
            {template?.name} ({template?.language})
          </dd>
          <dt>Audience</dt>
          <dd>
            {splitTags(tags).length > 0 ? `Tagged ${splitTags(tags).join(', ')}` : 'Every contact'}
            {splitTags(excludeTags).length > 0 ? `, except ${splitTags(excludeTags).join(', ')}` : ''}, minus
            opt-outs: <span data-testid="review-audience-count">{audienceSummary.toLowerCase()}</span>
          </dd>
          <dt>When</dt>
          <dd>
            {startMode === 'now' ? 'At launch' : new Date(startAt).toLocaleString()}, {sendingFrom}–
            {sendingUntil} local time
            {dailyCap ? `, at most ${dailyCap} a day` : ''}
          </dd>
        </dl>
        {template ? (
          <MappedPreview template={template} parameters={parameters} contactId={contact?.id ?? null} />
        ) : null}
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader
        title="New campaign"
        actions={
          <AppLink href="/campaigns" className="button ghost">
            Cancel
          </AppLink>
        }
      />
      <ol className="steps" aria-label="Steps">
        {STEPS.map((candidate, index) => (
          <li key={candidate} aria-current={candidate === step ? 'step' : undefined}>
            {index + 1}. {candidate}
          </li>
        ))}
      </ol>
      <section className="card stack" aria-label={step}>
        <h2>{step}</h2>
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : null}
        {body}
        <div className="row">
          {stepIndex > 0 ? (
            <button type="button" className="button" onClick={() => setStep(STEPS[stepIndex - 1]!)}>
              Back
            </button>
          ) : null}
          <span className="spacer" />
          {step === 'Review' ? (
            <>
              <button type="button" className="button" disabled={isSaving} onClick={() => void create(false)}>
                Save as draft
              </button>
              <button
                type="button"
                className="button primary"
                disabled={isSaving}
                onClick={() => void create(true)}
              >
                <Icon name="play" size={16} /> {isSaving ? 'Launching…' : 'Create and launch'}
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button primary"
              disabled={!canContinue[step]}
              onClick={() => setStep(STEPS[stepIndex + 1]!)}
            >
              Continue
            </button>
          )}
        </div>
      </section>
    </div>
  );
}

function ParameterRow({
  label,
  source,
  fields,
  onChange,
}: {
  label: string;
  source: ParameterSource;
  fields: string[];
  onChange: (source: ParameterSource) => void;
}) {
  const listId = `fields-${label.replace(/\W/g, '')}`;
  return (
    <fieldset className="card stack tight" style={{ padding: 12 }}>
      <legend className="small" style={{ fontWeight: 700 }}>
        {label}
      </legend>
      <div className="row">
        <select
          className="input"
          style={{ width: 190 }}
          aria-label={`${label} source`}
          value={source.kind}
          onChange={(event) =>
            onChange({ ...source, kind: event.target.value as ParameterSource['kind'], value: '' })
          }
        >
          <option value="field">Contact field</option>
          <option value="text">Same text for all</option>
        </select>
        <input
          className="input"
          aria-label={`${label} value`}
          list={source.kind === 'field' ? listId : undefined}
          placeholder={source.kind === 'field' ? 'firstName' : 'Text'}
          value={source.value}
          onChange={(event) => onChange({ ...source, value: event.target.value })}
        />
        <datalist id={listId}>
          {fields.map((field) => (
            <option key={field} value={field} />
          ))}
        </datalist>
      </div>
      {source.kind === 'field' ? (
        <div className="row">
          <span className="small muted" style={{ whiteSpace: 'nowrap' }}>
            If missing:
          </span>
          <input
            className="input"
            aria-label={`${label} fallback`}
            placeholder="a word that fits the sentence (optional)"
            value={source.fallback}
            onChange={(event) => onChange({ ...source, fallback: event.target.value })}
          />
        </div>
      ) : null}
    </fieldset>
  );
}

/** The template with Meta's sample values. */
function SamplePreview({ template }: { template: Template }) {
  const preview = useResource(
    () => api.post<TemplatePreview>(`/templates/${template.id}/preview`, {}),
    [template.id],
  );
  if (preview.isLoading) return <LoadingState rows={2} label="Rendering the preview" />;
  if (preview.error || !preview.data) return <ErrorState error={preview.error} title="No preview" />;
  return <TemplatePreviewBubble preview={preview.data} />;
}

/** The template filled in by the mapping for a real contact, with the server's problems if it does not fit. */
function MappedPreview({
  template,
  parameters,
  contactId,
}: {
  template: Template;
  parameters: unknown;
  contactId: string | null;
}) {
  const key = JSON.stringify(parameters);
  const [debouncedKey, setDebouncedKey] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setDebouncedKey(key), 300);
    return () => clearTimeout(timer);
  }, [key]);
  const preview = useResource(
    () =>
      api.post<TemplatePreview>(`/templates/${template.id}/preview`, {
        parameters: JSON.parse(debouncedKey) as unknown,
        ...(contactId ? { contactId } : {}),
      }),
    [template.id, debouncedKey, contactId],
  );
  if (preview.isLoading && !preview.data) return <LoadingState rows={2} label="Rendering the preview" />;
  if (preview.error && !preview.data) return <ErrorState error={preview.error} title="No preview" />;
  if (!preview.data) return null;
  return (
    <div className="stack tight">
      <TemplatePreviewBubble preview={preview.data} />
      {preview.data.problems.length > 0 ? (
        <div className="banner warn">{preview.data.problems.join('; ')}</div>
      ) : null}
    </div>
  );
}
