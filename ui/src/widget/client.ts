// The widget API (/api/widget/v1) as the iframe calls it: every request names the inbox by its
// website token and the embedding page by its origin; the visitor token, once there is one.
import { sendFile, toApiError } from '../lib/api';
import type { CsatRequest } from '../lib/api/CsatRequest';
import type { OutgoingEmail } from '../lib/api/OutgoingEmail';
import type { VisitorContact } from '../lib/api/VisitorContact';
import type { VisitorConversation } from '../lib/api/VisitorConversation';
import type { VisitorDetails } from '../lib/api/VisitorDetails';
import type { VisitorIdentity } from '../lib/api/VisitorIdentity';
import type { VisitorMessage } from '../lib/api/VisitorMessage';
import type { VisitorPosted } from '../lib/api/VisitorPosted';
import type { VisitorSession } from '../lib/api/VisitorSession';
import type { WidgetConfig } from '../lib/api/WidgetConfig';

export class WidgetClient {
  visitorToken: string | null = null;

  constructor(
    readonly websiteToken: string,
    readonly parent: string,
    private readonly base = '',
  ) {}

  url(path: string, extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({ website_token: this.websiteToken, parent: this.parent, ...extra });
    return `${this.base}/api/widget/v1${path}?${q}`;
  }

  private async call<T>(method: string, path: string, body?: unknown, query: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.visitorToken) headers.Authorization = `Bearer ${this.visitorToken}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await toApiError(res);
    return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
  }

  config = () => this.call<WidgetConfig>('GET', '/inbox');
  identify = (identity: VisitorIdentity) => this.call<VisitorSession>('POST', '/identify', identity);
  /** The link in a replies email: a session on that conversation's contact. */
  continueConversation = (token: string) => this.call<VisitorSession>('POST', '/continue', { token });
  send = (content: string, details?: VisitorDetails, attachments: string[] = [], campaign?: string) =>
    this.call<VisitorPosted>('POST', '/messages', {
      content,
      details,
      ...(attachments.length ? { attachments } : {}),
      ...(campaign ? { campaign } : {}),
    });
  /** Sends a file for the next message, reporting progress (0…1). */
  upload = (file: File, progress: (fraction: number) => void) =>
    sendFile(
      this.url('/attachments'),
      file,
      this.visitorToken ? { Authorization: `Bearer ${this.visitorToken}` } : {},
      progress,
    );
  contact = () => this.call<VisitorContact>('GET', '/contact');
  updateContact = (details: VisitorDetails) => this.call<VisitorContact>('PATCH', '/contact', details);
  conversations = () => this.call<VisitorConversation[]>('GET', '/conversations');
  messages = (conversation: string, afterSeq: number) =>
    this.call<VisitorMessage[]>('GET', `/conversations/${conversation}/messages`, undefined, {
      after_seq: String(afterSeq),
      limit: '500',
    });
  rate = (conversation: string, request: CsatRequest) =>
    this.call<VisitorConversation>('POST', `/conversations/${conversation}/csat`, request);
  typing = (conversation: string, typing: boolean) =>
    this.call<void>('POST', `/conversations/${conversation}/typing`, { typing });
  /** The agents' "seen" mark: the visitor has read up to message `seq`. */
  seen = (conversation: string, seq: number) =>
    this.call<VisitorConversation>('POST', `/conversations/${conversation}/seen`, { seq });
  transcript = (conversation: string, email?: string) =>
    this.call<OutgoingEmail>('POST', `/conversations/${conversation}/transcript`, email ? { email } : {});

  /** The visitor's live stream; ws:// or wss:// like the page. */
  streamUrl(): string {
    const http = new URL(this.url('/stream', { visitor_token: this.visitorToken ?? '' }), location.href);
    http.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
    return http.toString();
  }
}
