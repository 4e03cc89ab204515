import { describe, expect, it } from 'vitest';
import { notificationText, worthShowing } from './notify';
import type { Notification } from './api/Notification';

const base: Notification = {
  kind: 'assigned',
  conversation: '50',
  number: 7,
  contact: 'Rosa',
  by: 'Ana',
  preview: 'My order never came',
};

describe('desktop notifications', () => {
  it('says what happened, to whom and by whom, with the message as the body', () => {
    expect(notificationText(base)).toEqual({ summary: '#7 Rosa was assigned to you by Ana', body: 'My order never came' });
    expect(notificationText({ ...base, by: null }).summary).toBe('#7 Rosa was assigned to you');
    expect(notificationText({ ...base, kind: 'customer_reply', by: null }).summary).toBe('Rosa replied in #7');
    expect(notificationText({ ...base, kind: 'mention' }).summary).toBe('Ana mentioned you in #7');
  });

  it('stays quiet only about the conversation the agent is looking at', () => {
    expect(worthShowing(base, true, '50')).toBe(false);
    expect(worthShowing(base, false, '50')).toBe(true);
    expect(worthShowing(base, true, '51')).toBe(true);
  });
});
