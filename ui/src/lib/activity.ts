// Activity lines in the agent's language. The desk stores what happened as data beside the
// English sentence; English (and any line from before the data was kept) shows that sentence.
import type { Activity } from './api/Activity';
import type { Change } from './api/Change';
import type { Message } from './api/Message';
import type { Status } from './api/Status';
import { fill } from './fill';
import { WORDS, type Lang } from './i18n.svelte';

type Sentences = {
  status: Record<Status, string>;
  snoozedUntilReply: string;
  accepted: string;
  customerReturned: string;
  snoozeEnded: string;
  closedAutomatically: string;
  routedTo: string;
  backInQueue: { went_offline: string; deactivated: string };
  took: string;
  assignedTo: string;
  unassigned: string;
  transferred: string;
  change: {
    labels_added: string;
    labels_removed: string;
    priority_by_rule: string;
    priority: string;
    team: string;
    team_removed: string;
    muted: string;
    unmuted: string;
  };
  messageDeleted: string;
  rated: string;
  ratedWithComment: string;
  emailFailed: string;
  transcriptSentBy: string;
  transcriptSent: string;
};

const es: Sentences = {
  status: {
    new: '{by} reinició la conversación',
    open: '{by} abrió la conversación',
    pending: '{by} marcó la conversación como pendiente',
    on_hold: '{by} puso la conversación en espera',
    snoozed: '{by} pospuso la conversación',
    solved: '{by} resolvió la conversación',
    closed: '{by} resolvió y cerró la conversación',
  },
  snoozedUntilReply: '{by} pospuso la conversación hasta que responda el cliente',
  accepted: '{by} aceptó la conversación',
  customerReturned: 'El cliente volvió a escribir: la conversación está abierta',
  snoozeEnded: 'Terminó la posposición: la conversación vuelve a estar abierta',
  closedAutomatically: 'La conversación se cerró automáticamente',
  routedTo: 'La asignación automática dio la conversación a {agent}',
  backInQueue: {
    went_offline: 'De vuelta a la cola: {agent} se desconectó',
    deactivated: 'De vuelta a la cola: {agent} fue desactivado',
  },
  took: '{by} tomó la conversación',
  assignedTo: '{by} asignó la conversación a {to}',
  unassigned: '{by} quitó la asignación de la conversación',
  transferred: '{by} transfirió la conversación al equipo {team}',
  change: {
    labels_added: 'añadió las etiquetas {labels}',
    labels_removed: 'quitó las etiquetas {labels}',
    priority_by_rule: '(una regla de etiquetas fijó la prioridad en {priority})',
    priority: 'fijó la prioridad en {priority}',
    team: 'dio la conversación al equipo {team}',
    team_removed: 'sacó la conversación de su equipo',
    muted: 'silenció los avisos de la conversación',
    unmuted: 'reactivó los avisos de la conversación',
  },
  messageDeleted: '{by} eliminó un mensaje',
  rated: 'El cliente valoró la conversación con {rating}/5',
  ratedWithComment: 'El cliente valoró la conversación con {rating}/5: {comment}',
  emailFailed: 'No se pudo enviar el correo a {to}: {why}',
  transcriptSentBy: '{by} envió la transcripción a {to}',
  transcriptSent: 'Se envió la transcripción a {to}',
};

const it: Sentences = {
  status: {
    new: '{by} ha reimpostato la conversazione',
    open: '{by} ha aperto la conversazione',
    pending: '{by} ha messo la conversazione in sospeso',
    on_hold: '{by} ha messo la conversazione in attesa',
    snoozed: '{by} ha rimandato la conversazione',
    solved: '{by} ha risolto la conversazione',
    closed: '{by} ha risolto e chiuso la conversazione',
  },
  snoozedUntilReply: '{by} ha rimandato la conversazione fino alla risposta del cliente',
  accepted: '{by} ha accettato la conversazione',
  customerReturned: 'Il cliente ha scritto di nuovo: la conversazione è aperta',
  snoozeEnded: 'Il rinvio è finito: la conversazione è di nuovo aperta',
  closedAutomatically: 'La conversazione è stata chiusa automaticamente',
  routedTo: "L'assegnazione automatica ha dato la conversazione a {agent}",
  backInQueue: {
    went_offline: 'Di nuovo in coda: {agent} è andato offline',
    deactivated: 'Di nuovo in coda: {agent} è stato disattivato',
  },
  took: '{by} ha preso la conversazione',
  assignedTo: '{by} ha assegnato la conversazione a {to}',
  unassigned: "{by} ha tolto l'assegnazione della conversazione",
  transferred: '{by} ha trasferito la conversazione al team {team}',
  change: {
    labels_added: 'ha aggiunto le etichette {labels}',
    labels_removed: 'ha tolto le etichette {labels}',
    priority_by_rule: '(una regola delle etichette ha impostato la priorità a {priority})',
    priority: 'ha impostato la priorità a {priority}',
    team: 'ha dato la conversazione al team {team}',
    team_removed: 'ha tolto la conversazione dal suo team',
    muted: 'ha silenziato la conversazione',
    unmuted: 'ha riattivato le notifiche della conversazione',
  },
  messageDeleted: '{by} ha eliminato un messaggio',
  rated: 'Il cliente ha valutato la conversazione {rating}/5',
  ratedWithComment: 'Il cliente ha valutato la conversazione {rating}/5: {comment}',
  emailFailed: "Non è stato possibile inviare l'email a {to}: {why}",
  transcriptSentBy: '{by} ha inviato la trascrizione a {to}',
  transcriptSent: 'La trascrizione è stata inviata a {to}',
};

const SENTENCES: Record<Exclude<Lang, 'en'>, Sentences> = { es, it };

/** What an activity line says, in `lang`. */
export function activityLine(m: Pick<Message, 'content' | 'activity'>, lang: Lang): string {
  if (lang === 'en' || !m.activity) return m.content;
  return say(m.activity, SENTENCES[lang], lang);
}

function say(a: Activity, s: Sentences, lang: Lang): string {
  switch (a.what) {
    case 'status':
      return fill(a.status === 'snoozed' && a.until_reply ? s.snoozedUntilReply : s.status[a.status], { by: a.by });
    case 'accepted':
      return fill(s.accepted, { by: a.by });
    case 'customer_returned':
      return s.customerReturned;
    case 'snooze_ended':
      return s.snoozeEnded;
    case 'closed_automatically':
      return s.closedAutomatically;
    case 'routed_to':
      return fill(s.routedTo, { agent: a.agent });
    case 'back_in_queue':
      return fill(s.backInQueue[a.why], { agent: a.agent });
    case 'took':
      return fill(s.took, { by: a.by });
    case 'assigned_to':
      return fill(s.assignedTo, { by: a.by, to: a.to });
    case 'unassigned':
      return fill(s.unassigned, { by: a.by });
    case 'transferred':
      return fill(s.transferred, { by: a.by, team: a.team });
    case 'changed':
      return `${a.by} ${a.changes.map((c) => change(c, s, lang)).join('; ')}`;
    case 'message_deleted':
      return fill(s.messageDeleted, { by: a.by });
    case 'rated':
      return a.comment == null
        ? fill(s.rated, { rating: a.rating })
        : fill(s.ratedWithComment, { rating: a.rating, comment: a.comment });
    case 'email_failed':
      return fill(s.emailFailed, { to: a.to, why: a.why });
    case 'transcript_sent':
      return a.by == null ? fill(s.transcriptSent, { to: a.to }) : fill(s.transcriptSentBy, { by: a.by, to: a.to });
  }
}

function change(c: Change, s: Sentences, lang: Lang): string {
  const priorities = WORDS[lang].priorities;
  switch (c.change) {
    case 'labels_added':
    case 'labels_removed':
      return fill(s.change[c.change], { labels: c.labels.join(', ') });
    case 'priority_by_rule':
    case 'priority':
      return fill(s.change[c.change], { priority: priorities[c.priority] });
    case 'team':
      return fill(s.change.team, { team: c.team });
    case 'team_removed':
      return s.change.team_removed;
    case 'muted':
      return c.muted ? s.change.muted : s.change.unmuted;
  }
}
