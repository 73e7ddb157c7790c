import { type FormEvent, useEffect, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { API_BASE, api, errorMessage, query } from '../../lib/api.ts';
import { formatNumber } from '../../lib/format.ts';
import type { ContactImport } from '../../lib/types.ts';
import { estimateRows, uploadFile } from './upload-file.ts';

const COUNTRIES = [
  ['', 'Numbers include the country code (+…)'],
  ['BR', 'Brazil'],
  ['MX', 'Mexico'],
  ['US', 'United States'],
  ['ES', 'Spain'],
  ['PT', 'Portugal'],
  ['AR', 'Argentina'],
  ['CO', 'Colombia'],
  ['GB', 'United Kingdom'],
  ['IN', 'India'],
  ['DE', 'Germany'],
] as const;

type Phase =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'importing'; view: ContactImport }
  | { kind: 'done'; view: ContactImport }
  | { kind: 'failed'; message: string };

/**
 * Importing contacts: pick a CSV or JSON file, upload it (with progress), then watch the server read it
 * (rows read of about how many), and get a summary with the error report of the rows it refused.
 */
export function ImportPanel({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [country, setCountry] = useState('');
  const [tags, setTags] = useState('');
  const [optInSource, setOptInSource] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [estimate, setEstimate] = useState<number | null>(null);
  const format = file && /\.(json|ndjson|jsonl)$/i.test(file.name) ? 'json' : 'csv';

  const importId = phase.kind === 'importing' ? phase.view.id : null;
  useEffect(() => {
    if (!importId) return;
    const timer = setInterval(async () => {
      try {
        const view = await api.get<ContactImport>(`/imports/${importId}`);
        if (view.state === 'completed' || view.state === 'failed') {
          setPhase({ kind: 'done', view });
          onImported();
        } else setPhase({ kind: 'importing', view });
      } catch (error) {
        setPhase({ kind: 'failed', message: errorMessage(error) });
      }
    }, 600);
    return () => clearInterval(timer);
  }, [importId, onImported]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setEstimate(await estimateRows(file, format));
    setPhase({ kind: 'uploading', fraction: 0 });
    try {
      const view = await uploadFile<ContactImport>(
        `/imports${query({ country, tags, optInSource, format })}`,
        file,
        format === 'json' ? 'application/json' : 'text/csv',
        (fraction) => setPhase({ kind: 'uploading', fraction }),
      );
      setPhase(
        view.state === 'completed' || view.state === 'failed'
          ? { kind: 'done', view }
          : { kind: 'importing', view },
      );
    } catch (error) {
      setPhase({ kind: 'failed', message: errorMessage(error) });
    }
  };

  const isBusy = phase.kind === 'uploading' || phase.kind === 'importing';
  return (
    <form className="stack" onSubmit={(event) => void submit(event)} aria-label="Import contacts">
      <Field
        label="File"
        hint="CSV with a header row (a phone column, and name, tags, any custom fields), or JSON / NDJSON."
      >
        <input
          className="input"
          type="file"
          name="file"
          accept=".csv,.json,.ndjson,.jsonl,text/csv,application/json"
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setPhase({ kind: 'idle' });
          }}
        />
      </Field>
      {/* The country on a row of its own: its option labels are long, and a third of the dialog cut them off. */}
      <Field label="Default country" hint="For numbers written without +">
        <select
          className="input"
          name="country"
          value={country}
          onChange={(event) => setCountry(event.target.value)}
        >
          {COUNTRIES.map(([code, label]) => (
            <option key={code} value={code}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      <div className="grid-2">
        <Field label="Tags for every row" hint="Comma-separated">
          <input
            className="input"
            name="import-tags"
            value={tags}
            onChange={(event) => setTags(event.target.value)}
            placeholder="spring-list"
          />
        </Field>
        <Field label="Consent source" hint="Recorded as each contact's opt-in">
          <input
            className="input"
            name="opt-in-source"
            value={optInSource}
            onChange={(event) => setOptInSource(event.target.value)}
            placeholder="web_form"
          />
        </Field>
      </div>
      {phase.kind === 'uploading' ? (
        <ProgressBar value={phase.fraction * 100} max={100} label="Upload" detail="Uploading…" />
      ) : phase.kind === 'importing' ? (
        <ProgressBar
          value={estimate ? Math.min(phase.view.rowsRead, estimate) : null}
          max={estimate ?? 1}
          label="Import"
          detail={`Reading rows: ${formatNumber(phase.view.rowsRead)}${estimate ? ` of about ${formatNumber(estimate)}` : ''}`}
        />
      ) : phase.kind === 'done' ? (
        <ImportSummary view={phase.view} />
      ) : phase.kind === 'failed' ? (
        <div className="form-error" role="alert">
          {phase.message}
        </div>
      ) : null}
      <div className="row">
        <span className="spacer" />
        <button type="submit" className="button primary" disabled={!file || isBusy}>
          <Icon name="upload" size={16} /> {isBusy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

export function ImportSummary({ view }: { view: ContactImport }) {
  return (
    <div
      className={`banner ${view.state === 'failed' ? 'danger' : view.invalid > 0 ? 'warn' : 'ok'}`}
      role="status"
      data-testid="import-summary"
    >
      <Icon name={view.state === 'failed' ? 'alert' : 'check'} size={18} />
      <div className="stack tight">
        <strong>
          {view.state === 'failed'
            ? `The import stopped: ${view.problem ?? 'unknown problem'}`
            : `Imported ${formatNumber(view.imported)} new, merged ${formatNumber(view.merged)}, refused ${formatNumber(view.invalid)}`}
        </strong>
        {view.mergeConflicts > 0 ? (
          <a href={`${API_BASE}/imports/${view.id}/merges.csv`} download>
            {formatNumber(view.mergeConflicts)} merged {view.mergeConflicts === 1 ? 'row' : 'rows'} had
            different values; the later row’s were kept. Download the merge report (both values, with lines)
          </a>
        ) : null}
        {view.invalid > 0 ? (
          <a href={`${API_BASE}/imports/${view.id}/errors.csv`} download>
            Download the error report ({formatNumber(view.invalid)} rows, with line and reason)
          </a>
        ) : null}
      </div>
    </div>
  );
}
