/** A labelled progress bar; `value` null draws an indeterminate one (the total is not known yet). */
export function ProgressBar({
  value,
  max,
  label,
  tone,
  detail,
}: {
  value: number | null;
  max: number;
  label: string;
  tone?: 'done' | 'paused';
  detail?: string;
}) {
  const percent = value === null || max <= 0 ? 0 : Math.min(100, Math.round((value / max) * 100));
  return (
    <div>
      <div
        className={`progress ${tone ?? ''} ${value === null ? 'indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value === null ? undefined : percent}
      >
        <div style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-label">
        <span>{detail}</span>
        <span>{value === null ? '…' : `${percent} %`}</span>
      </div>
    </div>
  );
}
