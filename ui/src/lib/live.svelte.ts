// The desk's live event stream: one WebSocket that reconnects by itself and resumes after the
// last event it delivered, so a dropped connection or a sleeping laptop misses nothing. Each
// connection asks for a fresh address: it holds a one-time ticket, good for one connection.
import { ApiError } from './api';
import type { Event } from './api/Event';
import type { StreamSignal } from './api/StreamSignal';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export class LiveEvents {
  state: LiveState = $state('connecting');
  private socket: WebSocket | null = null;
  private lastId: string | null = null;
  private retryMs = 500;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** A connection is being set up (its ticket fetched): a nudge then waits for it. */
  private opening = false;

  constructor(
    /** The address to connect to, with a fresh ticket; null when signed out. */
    private readonly url: (after: string | null) => Promise<string | null>,
    private readonly onEvent: (e: Event) => void,
    /** Called when the stream opened without a place to resume from: reload what is shown. */
    private readonly onResync: () => void = () => {},
    /** Frames that are not stored events (no `id`): who is typing. */
    private readonly onSignal: (s: StreamSignal) => void = () => {},
  ) {
    void this.connect();
  }

  private async connect() {
    if (this.opening || this.stopped) return;
    this.opening = true;
    let url: string | null;
    try {
      url = await this.url(this.lastId);
    } catch (err) {
      this.opening = false;
      // Signed out or deactivated: the client has already sent the window back to the login.
      if (err instanceof ApiError && err.needsLogin) this.state = 'stopped';
      else this.retry();
      return;
    }
    this.opening = false;
    if (!url || this.stopped) {
      this.state = 'stopped';
      return;
    }
    const resumes = this.lastId !== null;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.state = 'live';
      this.retryMs = 500;
      if (!resumes) this.onResync();
    };
    socket.onmessage = (m) => {
      let frame: Event | StreamSignal;
      try {
        frame = JSON.parse(String(m.data)) as Event | StreamSignal;
      } catch {
        return; // not JSON: nothing the UI can use
      }
      if (!('id' in frame)) {
        this.onSignal(frame);
        return;
      }
      this.lastId = frame.id;
      this.onEvent(frame);
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.stopped) return;
      this.retry();
    };
  }

  private retry() {
    if (this.stopped) return;
    this.state = 'reconnecting';
    // Back off to at most 10 s apart, so a desk that restarts is found again soon.
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  /** Reconnects now (after the machine wakes or the network returns) instead of waiting. */
  nudge() {
    if (this.state !== 'reconnecting') return;
    if (this.timer) clearTimeout(this.timer);
    this.retryMs = 500;
    void this.connect();
  }

  stop() {
    this.stopped = true;
    this.state = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
  }
}

type Listener = { event: (e: Event) => void; resync: () => void; signal: (s: StreamSignal) => void };

/** One stream per signed-in window, shared by whichever screens are showing. */
export class EventHub {
  readonly live: LiveEvents;
  private listeners: Listener[] = [];

  constructor(url: (after: string | null) => Promise<string | null>) {
    this.live = new LiveEvents(
      url,
      (e) => this.listeners.forEach((l) => l.event(e)),
      () => this.listeners.forEach((l) => l.resync()),
      (s) => this.listeners.forEach((l) => l.signal(s)),
    );
  }

  /** Listens until the returned function is called (give it to onDestroy). */
  subscribe(
    event: (e: Event) => void,
    resync: () => void = () => {},
    signal: (s: StreamSignal) => void = () => {},
  ): () => void {
    const l = { event, resync, signal };
    this.listeners = [...this.listeners, l];
    return () => {
      this.listeners = this.listeners.filter((x) => x !== l);
    };
  }

  stop() {
    this.live.stop();
  }
}
