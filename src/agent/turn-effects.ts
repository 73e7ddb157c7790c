/** What the tools of one turn did that changes how the turn ends. */
export interface TurnEffects {
  /** The agent handed off: its own goodbye still goes, although the conversation is now a human's. */
  handedOff: { reason: string; summary: string } | null;
  optedOut: 'all' | 'marketing' | null;
  ended: boolean;
}

export function noEffects(): TurnEffects {
  return { handedOff: null, optedOut: null, ended: false };
}
