// What every form does while it talks to the desk: show it is busy, and show what went wrong.

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Action {
  busy = $state(false);
  error = $state('');

  /** Runs `work`, keeping `busy` and `error` current; never throws. */
  async run(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await work();
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }
}
