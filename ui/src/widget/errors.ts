// What a visitor reads when the desk refuses something: a short sentence in their language,
// chosen by the error's code. The desk's own message may be meant for the site's admin (an
// origin to allow, email to set up), so it goes to the browser's console, never on screen.
import { ApiError } from '../lib/api';
import type { Words } from './i18n';

type ErrorWord =
  | 'errNotFinished'
  | 'errNotYourAddress'
  | 'errEmailUnavailable'
  | 'errTooFast'
  | 'errBlocked'
  | 'errUnavailable'
  | 'errSignIn'
  | 'errNotFound'
  | 'errOffline'
  | 'errEmail'
  | 'errMessage'
  | 'errInput'
  | 'errLink'
  | 'errGeneric';

const BY_CODE: Record<string, ErrorWord> = {
  conversation_not_finished: 'errNotFinished',
  not_your_address: 'errNotYourAddress',
  email_unavailable: 'errEmailUnavailable',
  rate_limited: 'errTooFast',
  visitor_blocked: 'errBlocked',
  origin_not_allowed: 'errUnavailable',
  unknown_website_token: 'errUnavailable',
  unavailable: 'errUnavailable',
  identity_refused: 'errSignIn',
  not_found: 'errNotFound',
  unreachable: 'errOffline',
  link_refused: 'errLink',
};

// The desk names the field a bad input is about ("email: 'x' is not an email address…").
const BY_FIELD: Record<string, ErrorWord> = { email: 'errEmail', content: 'errMessage' };

/** The visitor's words for `e`. */
export function visitorError(e: unknown, words: Words): string {
  if (!(e instanceof ApiError)) {
    // fetch() itself failed: no answer from the desk at all.
    return words[e instanceof TypeError ? 'errOffline' : 'errGeneric'];
  }
  if (e.code === 'invalid_input') {
    const field = e.message.split(':', 1)[0].trim();
    return words[BY_FIELD[field] ?? 'errInput'];
  }
  return words[BY_CODE[e.code] ?? 'errGeneric'];
}

/** `visitorError`, leaving the desk's own words in the console for whoever runs the site. */
export function tellVisitor(e: unknown, words: Words): string {
  const detail = e instanceof Error ? e.message : String(e);
  console.warn(`Frontdesk chat: ${detail}`);
  return visitorError(e, words);
}
