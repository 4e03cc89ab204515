// The emoji both pickers offer (the agent's reply box and the visitor's chat): the ones a help
// desk conversation uses, each with words to find it by, and putting one where the caret is.

export type Emoji = { char: string; words: string };

export type EmojiGroup = { name: 'smileys' | 'gestures' | 'things' | 'symbols'; emoji: Emoji[] };

const group = (name: EmojiGroup['name'], list: string): EmojiGroup => ({
  name,
  emoji: list
    .trim()
    .split('\n')
    .map((line) => {
      const [char, ...words] = line.trim().split(' ');
      return { char, words: words.join(' ') };
    }),
});

export const EMOJI: EmojiGroup[] = [
  group(
    'smileys',
    `
😀 grin smile happy
😃 smile happy joy
😄 laugh smile happy
😁 beam grin
😅 sweat relief phew
😂 tears joy laugh lol
🙂 slight smile
😉 wink
😊 blush smile happy
😍 love heart eyes
🥰 love hearts
😘 kiss
😋 yum tasty
😎 cool sunglasses
🤩 star struck wow
🤔 think hmm
🤗 hug
🙄 eye roll
😐 neutral
😬 grimace awkward
😌 relieved calm
😴 sleep tired
😷 sick mask
🤒 ill fever
😕 confused
😟 worried
😮 surprised wow
😲 astonished shocked
😢 cry sad
😭 sob cry sad
😤 huff frustrated
😡 angry mad
🤯 mind blown
🥳 party celebrate
😇 angel innocent
🙃 upside down
`,
  ),
  group(
    'gestures',
    `
👍 thumbs up yes ok good
👎 thumbs down no bad
👌 ok perfect
✌️ victory peace
🤞 fingers crossed luck
👏 clap applause
🙌 raise hands hooray
👋 wave hello bye
🙏 pray thanks please
💪 strong muscle
🤝 handshake deal
✋ hand stop
👀 eyes look
🤷 shrug dunno
🤦 facepalm
`,
  ),
  group(
    'things',
    `
📦 package parcel order box
🚚 delivery truck shipping
🛒 cart shop
💳 card payment
💶 money euro
🧾 receipt invoice
📧 email mail
📞 phone call
📱 mobile phone
💻 laptop computer
🔧 fix wrench repair
🔑 key password
🔒 lock secure
📅 calendar date
⏰ alarm clock time
⏳ hourglass wait
🎁 gift present
🚲 bike bicycle
☕ coffee
🍕 pizza
`,
  ),
  group(
    'symbols',
    `
❤️ heart love
💙 blue heart
💔 broken heart
⭐ star
✨ sparkles
🔥 fire hot
🎉 tada party congratulations
✅ check done yes
❌ cross no wrong
⚠️ warning
❓ question
❗ exclamation
💡 idea bulb
💯 hundred perfect
➡️ right arrow next
🆗 ok button
`,
  ),
];

/** The emoji whose words start with every word of `query` (all of them for an empty query). */
export function findEmoji(query: string): Emoji[] {
  const wanted = query.toLowerCase().split(/\s+/).filter(Boolean);
  const all = EMOJI.flatMap((g) => g.emoji);
  if (wanted.length === 0) return all;
  return all.filter((e) => {
    const words = e.words.split(' ');
    return wanted.every((w) => words.some((word) => word.startsWith(w)));
  });
}

/** `text` with `emoji` in place of the selection from `start` to `end`, and the caret after it. */
export function insertEmoji(text: string, start: number, end: number, emoji: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + emoji + text.slice(to), caret: from + emoji.length };
}
