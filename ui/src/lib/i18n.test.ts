import { describe, expect, it } from 'vitest';
import { WORDS, appLanguage } from './i18n.svelte';
import { notificationText } from './notify';
import { offersFor } from './inbox';

describe("the agent app's language", () => {
  it("is the agent's choice, else the browser's, else English", () => {
    expect(appLanguage('it', ['es-ES'])).toBe('it');
    expect(appLanguage(null, ['de-DE', 'es-MX'])).toBe('es');
    expect(appLanguage(undefined, ['fr'])).toBe('en');
  });

  it('words every status, action and notification in Spanish and Italian', () => {
    const n = { kind: 'assigned', conversation: 'c1', number: 7, contact: 'Rosa', by: 'Ana', preview: 'Hola' } as const;
    expect(notificationText(n, WORDS.es).summary).toBe('Ana te asignó #7 Rosa');
    expect(notificationText({ ...n, kind: 'mention', by: null }, WORDS.it).summary).toBe('Un agente ti ha menzionato in #7');
    const lifecycle = [{ status: 'solved' as const, offers: ['open' as const] }];
    expect(offersFor(lifecycle, 'solved', WORDS.it)).toEqual([{ to: 'open', label: 'Riapri' }]);
    for (const lang of ['es', 'it'] as const) {
      for (const [status, label] of Object.entries(WORDS[lang].status)) {
        expect(label, `${lang} ${status}`).not.toBe(WORDS.en.status[status as keyof typeof WORDS.en.status]);
      }
    }
  });
});
