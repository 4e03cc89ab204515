//! The markdown subset messages are written in (bold, italic, code, links, lists, line breaks),
//! parsed into a small tree and written as HTML for the transcript email. It mirrors
//! `ui/src/lib/markdown.ts` rule for rule, so a message reads the same in the agent app, the
//! widget and the email; both are held to the shared corpus in `tests/data/markdown.json`.
//! Every text and attribute is escaped, and a link's address is checked to be http(s) or mailto
//! with no quote, `<`, space or invisible character, so a message can never add a tag or an
//! attribute to the email.
//!
//! The rules, on a message's lines ("\r\n" and "\r" read as "\n"):
//! - a line `- x` or `* x` (after spaces or tabs; a space or tab after the marker) is a bullet
//!   item, `1. x` or `1) x` a numbered one; a line of only white space ends a paragraph or a
//!   list; other lines are paragraphs, their lines joined by a line break.
//! - inline, left to right: `code` (no formatting inside); [text](address) with a safe address
//!   (the text stays plain); a bare http(s) address at the start or after white space or `(`,
//!   without trailing .,;:!?); **strong**, *em* and _em_ whose content does not start or end
//!   with white space nor hold its own marker; `*`/`_` em does not start or end inside a word.
//!   Anything that does not fit a rule is text, as written.
//!
//! Characters are code points (the TypeScript works on `Array.from(string)`): its
//! `\p{White_Space}` is `char::is_whitespace`, `[\p{Alphabetic}\p{N}]` is
//! `is_alphabetic() || is_numeric()`.

use crate::transcript::escape_html;

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    Strong(Vec<Inline>),
    Em(Vec<Inline>),
    Link { href: String, text: String },
    Break,
}

/// A paragraph, or a list whose items are lines of inline pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    List { ordered: bool, items: Vec<Vec<Inline>> },
}

/// What a link carries beside its address, in the app, the widget and the email alike.
pub const LINK_TARGET: &str = "_blank";
pub const LINK_REL: &str = "noopener noreferrer nofollow";

/// Characters an address may never hold: they could end an attribute or a tag, or hide.
const URL_FORBIDDEN: [char; 6] = ['"', '\'', '<', '>', '`', '\\'];
/// What a bare address does not end with: the sentence's punctuation around it.
const TRAILING: [char; 7] = ['.', ',', ';', ':', '!', '?', ')'];
const LINK_SCHEMES: [&str; 3] = ["https://", "http://", "mailto:"];
const BARE_SCHEMES: [&str; 2] = ["https://", "http://"];

/// JavaScript's WORD: ASCII letters, digits and `_` only.
fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_space(c: Option<char>) -> bool {
    c.is_some_and(char::is_whitespace)
}

/// A character an address may hold: visible ASCII but quotes, brackets and backslash, or a
/// letter or digit.
fn is_url_char(c: char) -> bool {
    match c {
        '\u{21}'..='\u{7e}' => !URL_FORBIDDEN.contains(&c),
        c => c > '\u{7f}' && (c.is_alphabetic() || c.is_numeric()),
    }
}

/// Whether the ASCII `word` stands at `at`, in any case, ending at or before `end`. Only ASCII
/// letters are folded: no other character may stand in for a scheme's letters.
fn starts_with_ignore_case(chars: &[char], at: usize, end: usize, word: &str) -> bool {
    // `word` is ASCII: its length in bytes is its length in characters.
    at + word.len() <= end && word.chars().zip(&chars[at..]).all(|(w, c)| c.to_ascii_lowercase() == w)
}

/// Whether `url` may be a link: http(s) or mailto, something after the scheme, only safe
/// characters.
pub fn is_safe_url(url: &str) -> bool {
    let chars: Vec<char> = url.chars().collect();
    let next = NextIndex::new(&chars);
    safe_address(&chars, 0, chars.len(), &next)
}

/// `is_safe_url` for `chars[from..to]`, in constant time past the scheme.
fn safe_address(chars: &[char], from: usize, to: usize, next: &NextIndex) -> bool {
    LINK_SCHEMES.iter().find(|s| starts_with_ignore_case(chars, from, to, s)).is_some_and(|scheme| {
        // Every scheme is ASCII: its length in bytes is its length in characters.
        to > from + scheme.len() && next.unsafe_char[from] >= to
    })
}

/// Where each marker character, and the next character an address may not hold, occurs at or
/// after each position of one line: with them every look-ahead is one step, so a line stays
/// linear however it is written (20,000 `[` before one unsafe address included).
struct NextIndex {
    backtick: Vec<usize>,
    bracket: Vec<usize>,
    paren: Vec<usize>,
    star: Vec<usize>,
    underscore: Vec<usize>,
    unsafe_char: Vec<usize>,
}

impl NextIndex {
    fn new(chars: &[char]) -> Self {
        let at = |is: &dyn Fn(char) -> bool| {
            let mut at = vec![chars.len(); chars.len() + 1];
            for i in (0..chars.len()).rev() {
                at[i] = if is(chars[i]) { i } else { at[i + 1] };
            }
            at
        };
        NextIndex {
            backtick: at(&|c| c == '`'),
            bracket: at(&|c| c == ']'),
            paren: at(&|c| c == ')'),
            star: at(&|c| c == '*'),
            underscore: at(&|c| c == '_'),
            unsafe_char: at(&|c| !is_url_char(c)),
        }
    }

    fn of(&self, marker: char) -> &[usize] {
        match marker {
            '`' => &self.backtick,
            ']' => &self.bracket,
            ')' => &self.paren,
            '*' => &self.star,
            _ => &self.underscore,
        }
    }

    /// The next `marker` in `[from, end)`.
    fn find(&self, marker: char, from: usize, end: usize) -> Option<usize> {
        let at = *self.of(marker).get(from).filter(|_| from < end)?;
        (at < end).then_some(at)
    }
}

/// The inline pieces of `chars[start..end]`.
fn inline(chars: &[char], start: usize, end: usize, next: &NextIndex) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let push = |out: &mut Vec<Inline>, text: &mut String, node: Inline| {
        if !text.is_empty() {
            out.push(Inline::Text(std::mem::take(text)));
        }
        out.push(node);
    };
    let slice = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    // Content of **x**, *x* or _x_: not empty, no white space at either end.
    let tight = |a: usize, b: usize| b > a && !chars[a].is_whitespace() && !chars[b - 1].is_whitespace();
    let mut i = start;
    while i < end {
        let c = chars[i];
        let before = (i > start).then(|| chars[i - 1]);
        let after = |at: usize| chars.get(at).copied();
        if c == '`' {
            if let Some(close) = next.find('`', i + 1, end).filter(|&close| close > i + 1) {
                push(&mut out, &mut text, Inline::Code(slice(i + 1, close)));
                i = close + 1;
                continue;
            }
        } else if c == '[' {
            if let Some(close) = next.find(']', i + 1, end).filter(|&close| close > i + 1) {
                if after(close + 1) == Some('(') {
                    let paren = next.find(')', close + 2, end).filter(|&paren| paren > close + 2);
                    if let Some(paren) = paren.filter(|&paren| safe_address(chars, close + 2, paren, next)) {
                        let link = Inline::Link { href: slice(close + 2, paren), text: slice(i + 1, close) };
                        push(&mut out, &mut text, link);
                        i = paren + 1;
                        continue;
                    }
                }
            }
        } else if (c == 'h' || c == 'H') && (before.is_none() || is_space(before) || before == Some('(')) {
            let scheme = BARE_SCHEMES.iter().find(|s| starts_with_ignore_case(chars, i, end, s));
            if let Some(scheme) = scheme {
                let from = i + scheme.len();
                let mut stop = next.unsafe_char[from].min(end);
                while stop > from && TRAILING.contains(&chars[stop - 1]) {
                    stop -= 1;
                }
                if stop > from {
                    let url = slice(i, stop);
                    push(&mut out, &mut text, Inline::Link { href: url.clone(), text: url });
                    i = stop;
                    continue;
                }
            }
        } else if c == '*' && after(i + 1) == Some('*') && i + 1 < end {
            if let Some(close) = next.find('*', i + 2, end) {
                if after(close + 1) == Some('*') && close + 1 < end && tight(i + 2, close) {
                    push(&mut out, &mut text, Inline::Strong(inline(chars, i + 2, close, next)));
                    i = close + 2;
                    continue;
                }
            }
        }
        if (c == '*' || c == '_') && !is_word(before) && !(c == '*' && before == Some('*')) {
            if let Some(close) = next.find(c, i + 1, end) {
                let after_close = (close + 1 < end).then(|| chars[close + 1]);
                if tight(i + 1, close) && !is_word(after_close) {
                    push(&mut out, &mut text, Inline::Em(inline(chars, i + 1, close, next)));
                    i = close + 1;
                    continue;
                }
            }
        }
        text.push(c);
        i += 1;
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

fn inline_line(line: &[char]) -> Vec<Inline> {
    inline(line, 0, line.len(), &NextIndex::new(line))
}

/// The text of a list item on `line`, and whether the list is numbered: `- x`, `* x`, `1. x`
/// or `1) x`, after spaces or tabs, with a space or tab after the marker.
fn list_item(line: &[char]) -> Option<(bool, &[char])> {
    let blank = |c: &char| *c == ' ' || *c == '\t';
    let indent = line.iter().take_while(|c| blank(c)).count();
    let rest = &line[indent..];
    let (ordered, marker_end) = match rest.first() {
        Some('-' | '*') => (false, 1),
        _ => {
            let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
            match rest.get(digits) {
                Some('.' | ')') if digits > 0 => (true, digits + 1),
                _ => return None,
            }
        }
    };
    let rest = &rest[marker_end..];
    let gap = rest.iter().take_while(|c| blank(c)).count();
    (gap > 0).then(|| (ordered, &rest[gap..]))
}

/// Parses a message into blocks.
pub fn parse(source: &str) -> Vec<Block> {
    let mut chars: Vec<char> = Vec::with_capacity(source.len());
    let mut source_chars = source.chars().peekable();
    while let Some(c) = source_chars.next() {
        if c == '\r' {
            source_chars.next_if_eq(&'\n');
            chars.push('\n');
        } else {
            chars.push(c);
        }
    }
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&[char]> = Vec::new();
    let mut list: Option<(bool, Vec<&[char]>)> = None;
    let end_paragraph = |blocks: &mut Vec<Block>, paragraph: &mut Vec<&[char]>| {
        if !paragraph.is_empty() {
            let mut children = Vec::new();
            for (k, line) in paragraph.iter().enumerate() {
                if k > 0 {
                    children.push(Inline::Break);
                }
                children.extend(inline_line(line));
            }
            blocks.push(Block::Paragraph(children));
        }
        paragraph.clear();
    };
    let end_list = |blocks: &mut Vec<Block>, list: &mut Option<(bool, Vec<&[char]>)>| {
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List { ordered, items: items.into_iter().map(inline_line).collect() });
        }
    };
    for line in chars.split(|&c| c == '\n') {
        if let Some((ordered, item)) = list_item(line) {
            end_paragraph(&mut blocks, &mut paragraph);
            if list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                end_list(&mut blocks, &mut list);
            }
            list.get_or_insert_with(|| (ordered, Vec::new())).1.push(item);
        } else if line.iter().all(|c| c.is_whitespace()) {
            end_paragraph(&mut blocks, &mut paragraph);
            end_list(&mut blocks, &mut list);
        } else {
            end_list(&mut blocks, &mut list);
            paragraph.push(line);
        }
    }
    end_paragraph(&mut blocks, &mut paragraph);
    end_list(&mut blocks, &mut list);
    blocks
}

fn write_inline(nodes: &[Inline], html: &mut String) {
    for node in nodes {
        match node {
            Inline::Text(text) => html.push_str(&escape_html(text)),
            Inline::Code(text) => {
                html.push_str("<code>");
                html.push_str(&escape_html(text));
                html.push_str("</code>");
            }
            Inline::Strong(children) => {
                html.push_str("<strong>");
                write_inline(children, html);
                html.push_str("</strong>");
            }
            Inline::Em(children) => {
                html.push_str("<em>");
                write_inline(children, html);
                html.push_str("</em>");
            }
            Inline::Link { href, text } => {
                html.push_str("<a href=\"");
                html.push_str(&escape_html(href));
                html.push_str("\" target=\"");
                html.push_str(LINK_TARGET);
                html.push_str("\" rel=\"");
                html.push_str(LINK_REL);
                html.push_str("\">");
                html.push_str(&escape_html(text));
                html.push_str("</a>");
            }
            Inline::Break => html.push_str("<br>"),
        }
    }
}

/// The tree as HTML: the form of the shared corpus, byte for byte what `toHtml` gives.
pub fn to_html(blocks: &[Block]) -> String {
    let mut html = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(children) => {
                html.push_str("<p>");
                write_inline(children, &mut html);
                html.push_str("</p>");
            }
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                html.push_str(&format!("<{tag}>"));
                for item in items {
                    html.push_str("<li>");
                    write_inline(item, &mut html);
                    html.push_str("</li>");
                }
                html.push_str(&format!("</{tag}>"));
            }
        }
    }
    html
}

/// A message's content as email HTML.
pub fn render_html(source: &str) -> String {
    to_html(&parse(source))
}
