// The host desk's agent API, typed with the types generated from the Rust code (src/lib/api/).
import type { Agent } from './api/Agent';
import type { InboxChanges } from './api/InboxChanges';
import type { LabelDefinition } from './api/LabelDefinition';
import type { Role } from './api/Role';
import type { NotificationSettings } from './api/NotificationSettings';
import type { AgentRouting } from './api/AgentRouting';
import type { Availability } from './api/Availability';
import type { Contact } from './api/Contact';
import type { Conversation } from './api/Conversation';
import type { ConversationChanges } from './api/ConversationChanges';
import type { ConversationPage } from './api/ConversationPage';
import type { Inbox } from './api/Inbox';
import type { InboxRouting } from './api/InboxRouting';
import type { InboxSettings } from './api/InboxSettings';
import type { WidgetSettingsInput } from './api/WidgetSettingsInput';
import type { MessagePage } from './api/MessagePage';
import type { OutgoingEmail } from './api/OutgoingEmail';
import type { Posted } from './api/Posted';
import type { RoutingChanges } from './api/RoutingChanges';
import type { RoutingOverview } from './api/RoutingOverview';
import type { StatusOffers } from './api/StatusOffers';
import type { StatusRequest } from './api/StatusRequest';
import type { Team } from './api/Team';
import type { ViewCounts } from './api/ViewCounts';
import type { AgentPage } from './api/AgentPage';
import type { Attachment } from './api/Attachment';
import type { ErrorBody } from './api/ErrorBody';
import type { Health } from './api/Health';
import type { Invitation } from './api/Invitation';
import type { InvitationInfo } from './api/InvitationInfo';
import type { InviteRequest } from './api/InviteRequest';
import type { LoginOutcome } from './api/LoginOutcome';
import type { SetupRequest } from './api/SetupRequest';
import type { SetupStatus } from './api/SetupStatus';
import type { StreamTicket } from './api/StreamTicket';
import type { SmtpSettingsInput } from './api/SmtpSettingsInput';
import type { BackupSettings } from './api/BackupSettings';
import type { BackupStatus } from './api/BackupStatus';
import type { RunningBackup } from './api/RunningBackup';
import type { NetworkStatus } from './api/NetworkStatus';
import type { SmtpSettingsView } from './api/SmtpSettingsView';
import type { TestEmailOutcome } from './api/TestEmailOutcome';
import type { TestEmailRequest } from './api/TestEmailRequest';
import type { Message } from './api/Message';
import type { SearchResults } from './api/SearchResults';
import type { CannedInput } from './api/CannedInput';
import type { CannedResponse } from './api/CannedResponse';

/** An error the API answered with: `code` is stable, `message` is for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The session is gone: the UI should go back to the login screen. */
  get needsLogin(): boolean {
    return this.status === 401 && this.code !== 'invalid_credentials';
  }
}

export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

/** Keeps the session token in localStorage, per desk origin. */
export const browserTokens: TokenStore = {
  get: () => localStorage.getItem('frontdesk.token'),
  set: (t) => (t === null ? localStorage.removeItem('frontdesk.token') : localStorage.setItem('frontdesk.token', t)),
};

/** Turns any failed response into an ApiError, also when the body is not ours. */
export async function toApiError(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as ErrorBody;
    if (body?.error?.code) return new ApiError(res.status, body.error.code, body.error.message);
  } catch {
    // Not JSON: fall through to a generic message.
  }
  return new ApiError(res.status, 'http_error', `the desk answered ${res.status} ${res.statusText}`.trim());
}

/**
 * Sends one file as the request body, so the browser reports progress (`progress` gets 0…1);
 * `fetch` cannot. Errors are `ApiError`s, like every other call's.
 */
export function sendFile(
  url: string,
  file: File,
  headers: Record<string, string>,
  progress: (fraction: number) => void,
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const sep = url.includes('?') ? '&' : '?';
    xhr.open('POST', `${url}${sep}name=${encodeURIComponent(file.name)}`);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => {
      const res = new Response(xhr.responseText, { status: xhr.status, statusText: xhr.statusText });
      if (res.ok) res.json().then(resolve, reject);
      else toApiError(res).then(reject);
    };
    xhr.onerror = () => reject(new ApiError(0, 'unreachable', 'cannot reach the desk: check the connection and try again'));
    xhr.send(file);
  });
}

export class Client {
  constructor(
    private readonly tokens: TokenStore,
    private readonly base = '',
    private readonly fetcher: typeof fetch = (...a) => fetch(...a),
  ) {}

  get loggedIn(): boolean {
    return this.tokens.get() !== null;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    const token = this.tokens.get();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetcher(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'cannot reach the host desk: check that it is running and on the network');
    }
    if (!res.ok) {
      const err = await toApiError(res);
      if (err.needsLogin) this.tokens.set(null);
      throw err;
    }
    return res.status === 204 ? (undefined as T) : ((await res.json()) as T);
  }

  private remember(outcome: LoginOutcome): LoginOutcome {
    this.tokens.set(outcome.token);
    return outcome;
  }

  health = () => this.call<Health>('GET', '/health');
  setupStatus = () => this.call<SetupStatus>('GET', '/api/v1/setup');
  setup = async (req: SetupRequest) => this.remember(await this.call<LoginOutcome>('POST', '/api/v1/setup', req));
  login = async (email: string, password: string) =>
    this.remember(await this.call<LoginOutcome>('POST', '/api/v1/auth/login', { email, password }));
  logout = async () => {
    try {
      await this.call<void>('POST', '/api/v1/auth/logout');
    } finally {
      this.tokens.set(null);
    }
  };
  me = () => this.call<Agent>('GET', '/api/v1/me');
  setNotifications = (settings: NotificationSettings) =>
    this.call<Agent>('PUT', '/api/v1/me/notifications', settings);
  agents = (after?: string) =>
    this.call<AgentPage>('GET', `/api/v1/agents?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`);
  invite = (req: InviteRequest) => this.call<Invitation>('POST', '/api/v1/agents', req);
  deactivate = (id: string) => this.call<Agent>('POST', `/api/v1/agents/${encodeURIComponent(id)}/deactivate`);
  setLanguage = (language: string | null) => this.call<Agent>('PUT', '/api/v1/me/language', { language });
  setRole = (id: string, role: Role) => this.call<Agent>('PUT', `/api/v1/agents/${encodeURIComponent(id)}/role`, { role });
  reactivate = (id: string) => this.call<Agent>('POST', `/api/v1/agents/${encodeURIComponent(id)}/reactivate`);
  /** null until an admin sets up outgoing email. */
  smtpSettings = () => this.call<SmtpSettingsView | null>('GET', '/api/v1/settings/smtp');
  saveSmtpSettings = (input: SmtpSettingsInput) => this.call<SmtpSettingsView>('PUT', '/api/v1/settings/smtp', input);
  sendTestEmail = (req: TestEmailRequest) => this.call<TestEmailOutcome>('POST', '/api/v1/settings/smtp/test', req);
  backups = () => this.call<BackupStatus>('GET', '/api/v1/backups');
  saveBackupSettings = (settings: BackupSettings) => this.call<BackupSettings>('PUT', '/api/v1/backups/settings', settings);
  startBackup = () => this.call<RunningBackup>('POST', '/api/v1/backups');
  network = () => this.call<NetworkStatus>('GET', '/api/v1/network');
  inboxes = () => this.call<Inbox[]>('GET', '/api/v1/inboxes');
  createInbox = (settings: InboxSettings) => this.call<Inbox>('POST', '/api/v1/inboxes', settings);
  updateInbox = (id: string, changes: InboxChanges) =>
    this.call<Inbox>('PATCH', `/api/v1/inboxes/${encodeURIComponent(id)}`, changes);
  updateInboxRouting = (id: string, routing: InboxRouting) =>
    this.call<Inbox>('PUT', `/api/v1/inboxes/${encodeURIComponent(id)}/routing`, routing);
  updateWidget = (id: string, settings: WidgetSettingsInput) =>
    this.call<Inbox>('PUT', `/api/v1/inboxes/${encodeURIComponent(id)}/widget`, settings);
  teams = () => this.call<Team[]>('GET', '/api/v1/teams');
  labels = () => this.call<LabelDefinition[]>('GET', '/api/v1/labels');
  saveLabels = (labels: LabelDefinition[]) => this.call<LabelDefinition[]>('PUT', '/api/v1/labels', labels);
  cannedResponses = () => this.call<CannedResponse[]>('GET', '/api/v1/canned_responses');
  createCanned = (input: CannedInput) => this.call<CannedResponse>('POST', '/api/v1/canned_responses', input);
  updateCanned = (id: string, input: CannedInput) =>
    this.call<CannedResponse>('PUT', `/api/v1/canned_responses/${encodeURIComponent(id)}`, input);
  deleteCanned = (id: string) => this.call<void>('DELETE', `/api/v1/canned_responses/${encodeURIComponent(id)}`);
  createTeam = (name: string) => this.call<Team>('POST', '/api/v1/teams', { name });
  /** `view` is a view word: all, mine, unassigned, inbox:<id>, team:<id>, label:<name>. */
  conversations = (view: string, status = 'any', cursor?: string, limit = 50) =>
    this.call<ConversationPage>(
      'GET',
      `/api/v1/conversations?view=${encodeURIComponent(view)}&status=${status}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
  counts = (view: string) => this.call<ViewCounts>('GET', `/api/v1/conversations/counts?view=${encodeURIComponent(view)}`);
  lifecycle = () => this.call<StatusOffers[]>('GET', '/api/v1/lifecycle');
  conversation = (id: string) => this.call<Conversation>('GET', `/api/v1/conversations/${encodeURIComponent(id)}`);
  messages = (id: string, afterSeq = 0) =>
    this.call<MessagePage>('GET', `/api/v1/conversations/${encodeURIComponent(id)}/messages?after_seq=${afterSeq}&limit=500`);
  /** A reply, or a private note that may mention agents (each is notified). */
  reply = (id: string, content: string, isPrivate: boolean, mentions: string[] = [], attachments: string[] = []) =>
    this.call<Posted>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/messages`, {
      content,
      private: isPrivate,
      ...(mentions.length ? { mentions } : {}),
      ...(attachments.length ? { attachments } : {}),
    });
  /** Deletes a message: its text and files go, an activity line says who did it. */
  deleteMessage = (id: string, seq: number) =>
    this.call<Message>('DELETE', `/api/v1/conversations/${encodeURIComponent(id)}/messages/${seq}`);
  /** Full-text search; `query` is built by `searchQuery`. */
  search = (query: string) => this.call<SearchResults>('GET', `/api/v1/search?${query}`);
  /** Sends a file for the next message, reporting progress (0…1). */
  upload = (file: File, progress: (fraction: number) => void) => {
    const token = this.tokens.get();
    return sendFile(`${this.base}/api/v1/attachments`, file, token ? { authorization: `Bearer ${token}` } : {}, progress);
  };
  /** Tells the others this agent is typing (a `private` note never reaches the customer). */
  typing = (id: string, typing: boolean, isPrivate: boolean) =>
    this.call<void>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/typing`, { typing, private: isPrivate });
  /** Tells the other agents this one has the conversation open (or closed it). */
  viewing = (id: string, viewing: boolean) =>
    this.call<void>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/viewing`, { viewing });
  /** The customer's "seen" mark: agents have read up to message `seq`. */
  seen = (id: string, seq: number) =>
    this.call<Conversation>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/seen`, { seq });
  changeStatus = (id: string, req: StatusRequest) =>
    this.call<Conversation>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/status`, req);
  updateConversation = (id: string, changes: ConversationChanges) =>
    this.call<Conversation>('PATCH', `/api/v1/conversations/${encodeURIComponent(id)}`, changes);
  assign = (id: string, assignee: string | null) =>
    this.call<Conversation>('PUT', `/api/v1/conversations/${encodeURIComponent(id)}/assignee`, { assignee });
  transfer = (id: string, team: string) =>
    this.call<Conversation>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/transfer`, { team });
  contact = (id: string) => this.call<Contact>('GET', `/api/v1/contacts/${encodeURIComponent(id)}`);
  contactConversations = (id: string) =>
    this.call<Conversation[]>('GET', `/api/v1/contacts/${encodeURIComponent(id)}/conversations`);
  conversationEmails = (id: string) =>
    this.call<OutgoingEmail[]>('GET', `/api/v1/conversations/${encodeURIComponent(id)}/emails`);
  sendTranscript = (id: string, to?: string) =>
    this.call<OutgoingEmail>('POST', `/api/v1/conversations/${encodeURIComponent(id)}/transcript`, to ? { to } : {});
  routing = () => this.call<RoutingOverview>('GET', '/api/v1/routing');
  setAvailability = (agent: string, availability: Availability) =>
    this.call<AgentRouting>('PUT', `/api/v1/agents/${encodeURIComponent(agent)}/availability`, { availability });
  updateRouting = (agent: string, changes: RoutingChanges) =>
    this.call<AgentRouting>('PATCH', `/api/v1/agents/${encodeURIComponent(agent)}/routing`, changes);
  /**
   * The live event stream's address, resuming after `after` (an event id) when given; null when
   * signed out. It carries a one-time ticket valid for 30 s, never the session token (a URL ends
   * up in proxy logs), so fetch a new one for each connection.
   */
  streamUrl = async (after: string | null): Promise<string | null> => {
    if (!this.tokens.get()) return null;
    const { ticket } = await this.call<StreamTicket>('POST', '/api/v1/stream/ticket');
    const base = new URL(this.base || '/', location.href);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = '/api/v1/stream';
    base.search = `ticket=${encodeURIComponent(ticket)}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    return base.toString();
  };
  invitation = (token: string) => this.call<InvitationInfo>('GET', `/api/v1/invitations/${encodeURIComponent(token)}`);
  acceptInvitation = async (token: string, password: string) =>
    this.remember(
      await this.call<LoginOutcome>('POST', `/api/v1/invitations/${encodeURIComponent(token)}/accept`, { password }),
    );
}

/** What `deskAddress` says is wrong; the join screen passes them in the agent's language. */
export const ADDRESS_ERRORS = {
  empty: 'type the address of the host desk, like 192.168.1.20:7878',
  invalid: "'{input}' is not an address: use a name or IP, and a port, like 192.168.1.20:7878",
};

/** The address a person typed for another desk, as a base URL, or an error message. */
export function deskAddress(input: string, errors = ADDRESS_ERRORS): { url: string } | { error: string } {
  let text = input.trim();
  if (!text) return { error: errors.empty };
  if (!/^https?:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: errors.invalid.replace('{input}', input.trim()) };
  }
  if (!url.port && url.protocol === 'http:' && !/:\d+$/.test(url.host)) url.port = '7878';
  return { url: `${url.protocol}//${url.host}/` };
}
