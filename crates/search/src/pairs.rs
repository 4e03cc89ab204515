//! Word pairs: every two neighbouring words of a message as one term ("order arrived"), so a
//! quoted phrase is looked up as a few terms instead of checking the positions of common words
//! in most of the index.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Joins a pair's two words in its term: no analyzer keeps a space inside a word.
pub(crate) const JOIN: char = ' ';

/// The term of two neighbouring words as the pairs field holds it.
pub(crate) fn pair(first: &str, second: &str) -> String {
    format!("{first}{JOIN}{second}")
}

/// A token filter that turns a stream of words into the stream of their neighbouring pairs.
#[derive(Clone, Copy, Default)]
pub(crate) struct PairFilter;

impl TokenFilter for PairFilter {
    type Tokenizer<T: Tokenizer> = Pairs<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> Pairs<T> {
        Pairs { inner }
    }
}

#[derive(Clone)]
pub(crate) struct Pairs<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for Pairs<T> {
    type TokenStream<'a> = PairStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairStream { words: self.inner.token_stream(text), previous: None, token: Token::default() }
    }
}

pub(crate) struct PairStream<S> {
    words: S,
    /// The word before, and where it starts.
    previous: Option<(String, usize)>,
    token: Token,
}

impl<S: TokenStream> TokenStream for PairStream<S> {
    fn advance(&mut self) -> bool {
        while self.words.advance() {
            let word = self.words.token();
            let current = (word.text.clone(), word.offset_from);
            if let Some((before, from)) = self.previous.replace(current) {
                let position = self.token.position.wrapping_add(1);
                self.token = Token {
                    offset_from: from,
                    offset_to: word.offset_to,
                    position,
                    text: pair(&before, &word.text),
                    position_length: 1,
                };
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};

    #[test]
    fn neighbouring_words_become_pairs() {
        let mut analyzer =
            TextAnalyzer::builder(SimpleTokenizer::default()).filter(LowerCaser).filter(PairFilter).build();
        let mut stream = analyzer.token_stream("My order, A-10423, never arrived");
        let mut pairs = Vec::new();
        while stream.advance() {
            pairs.push(stream.token().text.clone());
        }
        drop(stream);
        assert_eq!(pairs, ["my order", "order a", "a 10423", "10423 never", "never arrived"]);
        let mut one = analyzer.token_stream("hello");
        assert!(!one.advance(), "one word makes no pair");
    }
}
