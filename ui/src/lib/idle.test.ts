import { expect, test } from 'vitest';
import { idleStep } from './idle';

const min = 60_000;

test('an online agent idle past the limit is set away', () => {
  expect(idleStep({ availability: 'online', autoAway: false, idleMs: 10 * min, limitMinutes: 10 })).toBe('set_away');
  expect(idleStep({ availability: 'online', autoAway: false, idleMs: 9 * min, limitMinutes: 10 })).toBe(null);
});

test('coming back undoes only an away the app set', () => {
  expect(idleStep({ availability: 'away', autoAway: true, idleMs: 0, limitMinutes: 10 })).toBe('set_online');
  expect(idleStep({ availability: 'away', autoAway: false, idleMs: 0, limitMinutes: 10 })).toBe(null);
  expect(idleStep({ availability: 'offline', autoAway: true, idleMs: 0, limitMinutes: 10 })).toBe(null);
});

test('never means never', () => {
  expect(idleStep({ availability: 'online', autoAway: false, idleMs: 1e9, limitMinutes: 0 })).toBe(null);
});
