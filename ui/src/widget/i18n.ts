// The widget's words in English, Spanish and Italian; the language is the inbox's setting, else
// the visitor's browser language, else English.

import { fill } from '../lib/fill';

export { fill };

export type Lang = 'en' | 'es' | 'it';

const en = {
  title: 'Chat with us',
  close: 'Close the chat',
  placeholder: 'Write a message…',
  send: 'Send',
  sending: 'Sending…',
  delivered: 'Delivered',
  deleted: 'This message was deleted',
  seen: 'Seen',
  typing: '{name} is typing…',
  notSent: 'Not sent',
  retry: 'Try again',
  you: 'You',
  startChat: 'Start the chat',
  name: 'Your name',
  email: 'Your email',
  topic: 'Topic',
  chooseTopic: 'Choose a topic',
  optional: '(optional)',
  askEmail: 'Leave your email so we can reach you if you leave this page.',
  saveEmail: 'Save',
  emailSaved: 'Thanks! We will write to {email} if you are gone.',
  solved: 'This conversation is solved.',
  rate: 'How did we do?',
  comment: 'Anything to add? (optional)',
  sendRating: 'Send rating',
  thanksRating: 'Thanks for your rating: {rating}/5.',
  transcript: 'Email me the transcript',
  transcriptTo: 'Email address for the transcript',
  transcriptSent: 'The transcript is on its way to {email}.',
  previous: 'Previous conversations',
  back: 'Back to the chat',
  conversation: 'Conversation #{number}',
  newConversation: 'Need anything else? Just write.',
  reconnecting: 'Reconnecting…',
  poweredBy: 'Frontdesk',
  attach: 'Attach a file',
  removeFile: 'Remove',
  tooBig: '{name} is larger than 10 MB: send a smaller file',
  tooMany: 'At most 5 files on one message',
  emoji: 'Emoji',
  findEmoji: 'Find an emoji',
  noEmoji: 'No emoji has that name',
  smileys: 'Smileys',
  gestures: 'Gestures',
  things: 'Things',
  symbols: 'Symbols',
  replyMinutes: 'Typically replies in a few minutes',
  replyHours: 'Typically replies in a few hours',
  replyDay: 'Typically replies within a day',
  away: 'We are away right now. Leave a message and we will answer when we are back.',
  backAt: 'Back {when}',
};

export type Words = typeof en;

const es: Words = {
  title: 'Chatea con nosotros',
  close: 'Cerrar el chat',
  placeholder: 'Escribe un mensaje…',
  send: 'Enviar',
  sending: 'Enviando…',
  delivered: 'Entregado',
  deleted: 'Este mensaje fue eliminado',
  seen: 'Visto',
  typing: '{name} está escribiendo…',
  notSent: 'No enviado',
  retry: 'Reintentar',
  you: 'Tú',
  startChat: 'Empezar el chat',
  name: 'Tu nombre',
  email: 'Tu correo electrónico',
  topic: 'Tema',
  chooseTopic: 'Elige un tema',
  optional: '(opcional)',
  askEmail: 'Déjanos tu correo para poder responderte si sales de esta página.',
  saveEmail: 'Guardar',
  emailSaved: '¡Gracias! Te escribiremos a {email} si no estás.',
  solved: 'Esta conversación está resuelta.',
  rate: '¿Qué tal lo hicimos?',
  comment: '¿Algo que añadir? (opcional)',
  sendRating: 'Enviar valoración',
  thanksRating: 'Gracias por tu valoración: {rating}/5.',
  transcript: 'Enviarme la transcripción',
  transcriptTo: 'Correo para la transcripción',
  transcriptSent: 'La transcripción va de camino a {email}.',
  previous: 'Conversaciones anteriores',
  back: 'Volver al chat',
  conversation: 'Conversación n.º {number}',
  newConversation: '¿Necesitas algo más? Escríbenos.',
  reconnecting: 'Reconectando…',
  poweredBy: 'Frontdesk',
  attach: 'Adjuntar un archivo',
  removeFile: 'Quitar',
  tooBig: '{name} pesa más de 10 MB: envía un archivo más pequeño',
  tooMany: 'Como máximo 5 archivos por mensaje',
  emoji: 'Emoji',
  findEmoji: 'Buscar un emoji',
  noEmoji: 'Ningún emoji se llama así',
  smileys: 'Caras',
  gestures: 'Gestos',
  things: 'Objetos',
  symbols: 'Símbolos',
  replyMinutes: 'Suele responder en unos minutos',
  replyHours: 'Suele responder en unas horas',
  replyDay: 'Suele responder en un día',
  away: 'Ahora no estamos. Deja un mensaje y te responderemos a la vuelta.',
  backAt: 'De vuelta: {when}',
};

const it: Words = {
  title: 'Chatta con noi',
  close: 'Chiudi la chat',
  placeholder: 'Scrivi un messaggio…',
  send: 'Invia',
  sending: 'Invio…',
  delivered: 'Consegnato',
  deleted: 'Questo messaggio è stato eliminato',
  seen: 'Visualizzato',
  typing: '{name} sta scrivendo…',
  notSent: 'Non inviato',
  retry: 'Riprova',
  you: 'Tu',
  startChat: 'Inizia la chat',
  name: 'Il tuo nome',
  email: 'La tua email',
  topic: 'Argomento',
  chooseTopic: 'Scegli un argomento',
  optional: '(facoltativo)',
  askEmail: 'Lasciaci la tua email per risponderti se lasci questa pagina.',
  saveEmail: 'Salva',
  emailSaved: 'Grazie! Ti scriveremo a {email} se non ci sei.',
  solved: 'Questa conversazione è risolta.',
  rate: 'Com’è andata?',
  comment: 'Qualcosa da aggiungere? (facoltativo)',
  sendRating: 'Invia valutazione',
  thanksRating: 'Grazie per la valutazione: {rating}/5.',
  transcript: 'Inviami la trascrizione',
  transcriptTo: 'Email per la trascrizione',
  transcriptSent: 'La trascrizione sta arrivando a {email}.',
  previous: 'Conversazioni precedenti',
  back: 'Torna alla chat',
  conversation: 'Conversazione n. {number}',
  newConversation: 'Serve altro? Scrivici pure.',
  reconnecting: 'Riconnessione…',
  poweredBy: 'Frontdesk',
  attach: 'Allega un file',
  removeFile: 'Rimuovi',
  tooBig: '{name} supera i 10 MB: invia un file più piccolo',
  tooMany: 'Al massimo 5 file per messaggio',
  emoji: 'Emoji',
  findEmoji: 'Cerca un emoji',
  noEmoji: 'Nessuna emoji con questo nome',
  smileys: 'Faccine',
  gestures: 'Gesti',
  things: 'Oggetti',
  symbols: 'Simboli',
  replyMinutes: 'Di solito risponde in pochi minuti',
  replyHours: 'Di solito risponde in poche ore',
  replyDay: 'Di solito risponde entro un giorno',
  away: 'Ora non ci siamo. Lascia un messaggio e ti risponderemo al rientro.',
  backAt: 'Di ritorno: {when}',
};

export const WORDS: Record<Lang, Words> = { en, es, it };

/** The inbox's language if it has one, else the first of the browser's we speak, else English. */
export function pickLanguage(inboxSetting: string | null, browser: readonly string[]): Lang {
  const known = (tag: string | null | undefined): Lang | null => {
    const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0];
    return primary === 'en' || primary === 'es' || primary === 'it' ? primary : null;
  };
  return known(inboxSetting) ?? browser.map(known).find((l) => l !== null) ?? 'en';
}

/** What the header says about the team: how soon it replies, or that it is away and until when
 * (in the visitor's own clock). */
export function teamStatus(
  config: { open_now: { open: boolean; opens_at: number | null }; reply_time: 'minutes' | 'hours' | 'day' },
  words: Words,
  lang: string,
): string {
  if (config.open_now.open) {
    return { minutes: words.replyMinutes, hours: words.replyHours, day: words.replyDay }[config.reply_time];
  }
  if (config.open_now.opens_at === null) return '';
  const when = new Date(config.open_now.opens_at).toLocaleString(lang, { weekday: 'long', hour: 'numeric', minute: '2-digit' });
  return fill(words.backAt, { when });
}

