import type { ReactNode } from 'react';
import { errorMessage } from '../lib/api.ts';
import { Icon, type IconName } from './icon.tsx';

/** Nothing here yet: says what would be here, and how to get it there. */
export function EmptyState({
  icon = 'info',
  title,
  children,
  action,
}: {
  icon?: IconName;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state" data-state="empty">
      <div className="state-icon">
        <Icon name={icon} size={26} />
      </div>
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {action}
    </div>
  );
}

/** Something failed: the reason in words, and a way to try again. */
export function ErrorState({
  error,
  title = 'This could not be loaded',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div className="state error" role="alert" data-state="error">
      <div className="state-icon">
        <Icon name="alert" size={26} />
      </div>
      <h3>{title}</h3>
      <p>{errorMessage(error)}</p>
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          <Icon name="refresh" size={16} /> Try again
        </button>
      ) : null}
    </div>
  );
}

/** The shape of what is coming, so the layout does not jump when it arrives. */
export function LoadingState({ rows = 4, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="stack" aria-busy="true" data-state="loading">
      <span className="visually-hidden">{label}…</span>
      {Array.from({ length: rows }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity.
        <div key={index} className="stack tight">
          <div className="skeleton" style={{ width: `${60 + ((index * 17) % 35)}%` }} />
          <div className="skeleton" style={{ width: `${35 + ((index * 23) % 40)}%`, height: 10 }} />
        </div>
      ))}
    </div>
  );
}

export function Spinner({ label = 'Working' }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}
