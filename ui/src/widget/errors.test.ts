import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api';
import { tellVisitor, visitorError } from './errors';
import { WORDS } from './i18n';

const ADMIN_SMTP = 'outgoing email is not set up: an admin enters the SMTP server under Settings → Email first';
const ADMIN_ORIGIN =
  "the page at https://shop.example may not use the chat of the inbox 'Web': an admin adds the site's origin to the inbox's allowed origins";

describe('a visitor reads refusals in their own language, never the admin’s instructions', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says the transcript cannot be emailed now, in each language, when email is not set up', () => {
    const e = new ApiError(409, 'email_unavailable', ADMIN_SMTP);
    expect(visitorError(e, WORDS.en)).toBe('We cannot email the transcript right now. Sorry!');
    expect(visitorError(e, WORDS.es)).toBe('Ahora no podemos enviar la transcripción. ¡Lo sentimos!');
    expect(visitorError(e, WORDS.it)).toBe('Ora non possiamo inviare la trascrizione. Ci dispiace!');
  });

  it('keys the transcript refusals on their codes', () => {
    const open = new ApiError(409, 'conversation_not_finished', 'the transcript can be emailed once…');
    const other = new ApiError(422, 'not_your_address', 'the transcript can only be emailed to your own address, a@b.c');
    expect(visitorError(open, WORDS.es)).toBe(WORDS.es.errNotFinished);
    expect(visitorError(other, WORDS.it)).toBe(WORDS.it.errNotYourAddress);
    expect(WORDS.it.errNotYourAddress).not.toBe(WORDS.en.errNotYourAddress);
  });

  it('shows no admin wording for any code in any language, and unknown codes get a general line', () => {
    for (const words of Object.values(WORDS)) {
      for (const [code, message] of [
        ['email_unavailable', ADMIN_SMTP],
        ['origin_not_allowed', ADMIN_ORIGIN],
        ['unknown_website_token', 'no inbox has this website token: copy the widget snippet again'],
        ['identity_refused', "the identity hash does not match the identifier: sign it with the inbox's identity secret"],
        ['internal', 'something went wrong on the host desk; its log has the details'],
        ['some_new_code', 'an admin must do X under Settings'],
      ]) {
        const shown = visitorError(new ApiError(400, code, message), words);
        expect(shown).not.toMatch(/SMTP|Settings|admin|secret|snippet|origin|log/i);
        expect(shown).not.toBe(message);
      }
      expect(visitorError(new ApiError(418, 'some_new_code', 'x'), words)).toBe(words.errGeneric);
    }
  });

  it('names what was wrong in what the visitor typed by the field the desk gives', () => {
    const bad = new ApiError(422, 'invalid_input', "email: 'joe@' is not an email address like ana@example.com");
    expect(visitorError(bad, WORDS.es)).toBe(WORDS.es.errEmail);
    const long = new ApiError(422, 'invalid_input', 'content: must be at most 10000 characters');
    expect(visitorError(long, WORDS.en)).toBe(WORDS.en.errMessage);
    expect(visitorError(new ApiError(422, 'invalid_input', 'topic: nope'), WORDS.it)).toBe(WORDS.it.errInput);
  });

  it('tells a visitor whose emailed link no longer works to open the chat on the website', () => {
    const e = new ApiError(403, 'link_refused', 'this link is not valid for this chat: open the chat on the website');
    expect(visitorError(e, WORDS.es)).toMatch(/no es válido/);
    expect(visitorError(e, WORDS.en)).toBe(WORDS.en.errLink);
  });

  it('tells a visitor whose connection failed to check it', () => {
    expect(visitorError(new TypeError('Failed to fetch'), WORDS.en)).toBe(WORDS.en.errOffline);
    expect(visitorError(new ApiError(0, 'unreachable', 'cannot reach the desk'), WORDS.es)).toBe(WORDS.es.errOffline);
  });

  it('leaves the desk’s own message in the console for whoever runs the site', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const shown = tellVisitor(new ApiError(403, 'origin_not_allowed', ADMIN_ORIGIN), WORDS.en);
    expect(shown).toBe(WORDS.en.errUnavailable);
    expect(warn).toHaveBeenCalledWith(`Frontdesk chat: ${ADMIN_ORIGIN}`);
  });
});
