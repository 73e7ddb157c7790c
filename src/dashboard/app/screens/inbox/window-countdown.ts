import { useEffect, useState } from 'react';

/** Meta's customer service window: free-form messages are allowed for 24 h after the customer's last message. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60_000;

/** Milliseconds left in the window (0 when closed), kept current every 30 s. */
export function useWindowRemaining(lastInboundAt: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!lastInboundAt) return 0;
  return Math.max(0, Date.parse(lastInboundAt) + SERVICE_WINDOW_MS - now);
}
