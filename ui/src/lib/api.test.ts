import { describe, expect, it, vi } from 'vitest';
import { ApiError, Client, deskAddress, type TokenStore } from './api';
import { href, parseRoute } from './route';
import { WORDS } from './i18n.svelte';

function memoryTokens(initial: string | null = null): TokenStore & { value: string | null } {
  return {
    value: initial,
    get() {
      return this.value;
    },
    set(t) {
      this.value = t;
    },
  };
}

function answering(status: number, body: unknown, seen: Request[] = []): typeof fetch {
  return async (input, init) => {
    seen.push(new Request(new URL(String(input), 'http://desk.test'), init));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
}

describe('the API client', () => {
  it('keeps the token from a login and sends it afterwards', async () => {
    const tokens = memoryTokens();
    const seen: Request[] = [];
    const login = { token: 't0k3n', expires_at: 1, agent: { id: '1', name: 'Ana' } };
    const client = new Client(tokens, '', answering(200, login, seen));
    await client.login('ana@acme.test', 'secret123');
    expect(tokens.value).toBe('t0k3n');
    await client.me();
    expect(seen[1].headers.get('authorization')).toBe('Bearer t0k3n');
    expect(await seen[0].json()).toEqual({ email: 'ana@acme.test', password: 'secret123' });
  });

  it('shows the desk’s own error message and forgets an expired session', async () => {
    const tokens = memoryTokens('old');
    const expired = { error: { code: 'session_expired', message: 'your session has expired: log in again' } };
    const client = new Client(tokens, '', answering(401, expired));
    const err = await client.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('your session has expired: log in again');
    expect(tokens.value).toBeNull();
  });

  it('keeps the session when only the password was wrong', async () => {
    const tokens = memoryTokens('still-good');
    const wrong = { error: { code: 'invalid_credentials', message: 'the email or the password is wrong' } };
    const client = new Client(tokens, '', answering(401, wrong));
    await expect(client.login('a@b.test', 'x')).rejects.toThrow('the email or the password is wrong');
    expect(tokens.value).toBe('still-good');
  });

  it('opens the live stream with a one-time ticket, never with the session token in the URL', async () => {
    vi.stubGlobal('location', { href: 'https://desk.test/inbox' });
    const seen: Request[] = [];
    const client = new Client(memoryTokens('s3ss10n'), '', answering(200, { ticket: 'once', expires_at: 1 }, seen));
    const url = new URL((await client.streamUrl('42'))!);
    vi.unstubAllGlobals();
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('wss://desk.test/api/v1/stream');
    expect(Object.fromEntries(url.searchParams)).toEqual({ ticket: 'once', after: '42' });
    expect([seen[0].method, new URL(seen[0].url).pathname]).toEqual(['POST', '/api/v1/stream/ticket']);
    expect(seen[0].headers.get('authorization')).toBe('Bearer s3ss10n');
    expect(await new Client(memoryTokens(), '', answering(200, {})).streamUrl(null)).toBeNull();
  });

  it('explains a response that is not the API’s error shape', async () => {
    const client = new Client(memoryTokens(), '', answering(502, '<html>bad gateway</html>'));
    await expect(client.health()).rejects.toThrow('the desk answered 502');
  });

  it('says the desk is unreachable when the network fails', async () => {
    const client = new Client(memoryTokens(), '', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(client.health()).rejects.toMatchObject({ code: 'unreachable' });
  });
});

describe('a desk address typed by a person', () => {
  it('gets a scheme and the default port when they are left out', () => {
    expect(deskAddress(' 192.168.1.20 ')).toEqual({ url: 'http://192.168.1.20:7878/' });
    expect(deskAddress('desk.local:9000')).toEqual({ url: 'http://desk.local:9000/' });
    expect(deskAddress('https://desk.acme.test')).toEqual({ url: 'https://desk.acme.test/' });
  });

  it('is refused with an example when empty or malformed', () => {
    expect(deskAddress('')).toHaveProperty('error');
    expect(deskAddress('http://exa mple:99')).toHaveProperty('error');
    expect(deskAddress('http://exa mple:99', WORDS.it.admin.join.addressErrors)).toEqual({
      error: "'http://exa mple:99' non è un indirizzo: usa un nome o un IP e una porta, come 192.168.1.20:7878",
    });
  });
});

describe('routes', () => {
  it('round-trip through the hash, invitation tokens included', () => {
    for (const r of [{ screen: 'agents' }, { screen: 'join' }, { screen: 'invitation', token: 'a/b c' }] as const) {
      expect(parseRoute(href(r))).toEqual(r);
    }
    expect(parseRoute('')).toEqual({ screen: 'home' });
    expect(parseRoute('#/invitation/')).toEqual({ screen: 'login' });
  });
});
