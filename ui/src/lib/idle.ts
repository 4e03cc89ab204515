// Auto-away: an agent who leaves their desk online would be given chats nobody answers. After a
// while without input they are set away, and back online as soon as they return — but only when
// the app itself set them away, never overriding an away or offline they chose.

export const IDLE_CHOICES = [5, 10, 30, 0] as const; // minutes; 0 = never

export type IdleStep = 'set_away' | 'set_online' | null;

export function idleStep(opts: {
  availability: string;
  /** The app (not the agent) set the current away. */
  autoAway: boolean;
  idleMs: number;
  limitMinutes: number;
}): IdleStep {
  if (opts.limitMinutes <= 0) return null;
  const idle = opts.idleMs >= opts.limitMinutes * 60_000;
  if (idle && opts.availability === 'online') return 'set_away';
  if (!idle && opts.autoAway && opts.availability === 'away') return 'set_online';
  return null;
}
