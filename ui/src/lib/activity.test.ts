import { describe, expect, it } from 'vitest';
import { activityLine } from './activity';
import type { Activity } from './api/Activity';

describe('activityLine', () => {
  it('shows the stored English sentence to an English-speaking agent', () => {
    const m = {
      content: 'Ana solved the conversation',
      activity: { what: 'status', by: 'Ana', status: 'solved', until_reply: false } as const,
    };
    expect(activityLine(m, 'en')).toBe('Ana solved the conversation');
  });

  it('says what happened in Spanish and Italian, with the names kept', () => {
    const m = {
      content: 'Ana assigned the conversation to Ben',
      activity: { what: 'assigned_to', by: 'Ana', to: 'Ben' } as const,
    };
    expect(activityLine(m, 'es')).toBe('Ana asignó la conversación a Ben');
    expect(activityLine(m, 'it')).toBe('Ana ha assegnato la conversazione a Ben');
  });

  it('tells a snooze until the reply from a snooze until a time', () => {
    const until = (until_reply: boolean) => ({
      content: '',
      activity: { what: 'status', by: 'Ana', status: 'snoozed', until_reply } as const,
    });
    expect(activityLine(until(true), 'es')).toBe('Ana pospuso la conversación hasta que responda el cliente');
    expect(activityLine(until(false), 'es')).toBe('Ana pospuso la conversación');
  });

  it('joins several changes and translates the priority word', () => {
    const m = {
      content: '',
      activity: {
        what: 'changed',
        by: 'Ana',
        changes: [
          { change: 'labels_added', labels: ['billing', 'vip'] },
          { change: 'priority_by_rule', priority: 'urgent' },
          { change: 'muted', muted: true },
        ],
      } satisfies Activity,
    };
    expect(activityLine(m, 'it')).toBe(
      'Ana ha aggiunto le etichette billing, vip; (una regola delle etichette ha impostato la priorità a urgente); ha silenziato la conversazione',
    );
  });

  it('keeps the English text of a line stored before activities were data', () => {
    expect(activityLine({ content: 'Ana opened the conversation' }, 'es')).toBe('Ana opened the conversation');
  });
});
