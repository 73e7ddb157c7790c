/**
 * WhatsApp's ticks: one for sent, two for delivered, two blue for read; a clock while queued and a red
 * mark when it failed. The state is also written out for screen readers and tests.
 */
export function DeliveryTicks({ status }: { status: string | null | undefined }) {
  const state = normalize(status);
  const label = { queued: 'Queued', sent: 'Sent', delivered: 'Delivered', read: 'Read', failed: 'Failed' }[
    state
  ];
  return (
    <span className={`ticks ${state}`} title={label} data-status={state} role="img" aria-label={label}>
      {state === 'queued' ? (
        <svg
          width="14"
          height="14"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          aria-hidden="true"
        >
          <circle cx="12" cy="12" r="8" />
          <path d="M12 8v4l2.5 1.5" />
        </svg>
      ) : state === 'failed' ? (
        <svg
          width="14"
          height="14"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.2"
          aria-hidden="true"
        >
          <circle cx="12" cy="12" r="9" />
          <path d="M12 7v6M12 16.5h.01" />
        </svg>
      ) : (
        <svg
          width="18"
          height="14"
          viewBox="0 0 28 18"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.2"
          strokeLinecap="round"
          aria-hidden="true"
        >
          <path d="M2 9.5 6.5 14 15 4" />
          {state !== 'sent' ? <path d="M11 13.5 11.5 14 20 4" /> : null}
        </svg>
      )}
    </span>
  );
}

function normalize(status: string | null | undefined): 'queued' | 'sent' | 'delivered' | 'read' | 'failed' {
  switch (status) {
    case 'read':
    case 'played':
      return 'read';
    case 'delivered':
      return 'delivered';
    case 'failed':
      return 'failed';
    case 'sent':
    case 'accepted':
      return 'sent';
    default:
      return 'queued';
  }
}
