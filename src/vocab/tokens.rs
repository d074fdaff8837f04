//! A key name split into the words it is made of, each read for its meaning:
//! `cust_nm`, `custNm`, `CUST-NM` and `CUSTNM` all read as customer + name;
//! `收款人姓名` as 收款人 + 姓名; `sjhm` as 手机 + 号码 (pinyin initials);
//! `pspt_no` as passport + number (a banking abbreviation).
//!
//! Splitting: separators (`_ - . space / :` and any other punctuation),
//! camelCase and `IDCard` boundaries, letters against digits, Chinese
//! against the rest. A Chinese run is cut into the lexicon's words, longest
//! first. A letter run the lexicon does not know is cut into known words
//! (`cardholdername`), else read as pinyin initials, else as an
//! abbreviation of one known word (a prefix, `cust`, or its consonants,
//! `pspt`, `rcvr`); what is still unknown carries no meaning.

use super::lexicon::concept::{COORDINATE, NAME, PLACE};
use super::lexicon::{Concepts, WORDS};
use super::pinyin;

/// At most this many words of a key are kept.
pub(crate) const MAX_WORDS: usize = 12;

/// One word of a key: the lexicon's spelling of it and its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Word {
    pub word: &'static str,
    pub concepts: Concepts,
}

fn lookup(text: &str) -> Option<Word> {
    WORDS
        .iter()
        .find(|(w, _)| *w == text)
        .map(|&(word, concepts)| Word { word, concepts })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Han,
    Other,
}

fn class(c: char) -> Class {
    match c {
        'A'..='Z' => Class::Upper,
        'a'..='z' => Class::Lower,
        '0'..='9' => Class::Digit,
        c if !c.is_ascii() && c.is_alphabetic() => Class::Han,
        _ => Class::Other,
    }
}

/// The raw pieces of `key`: runs of letters (camelCase split), digits and
/// non-ASCII letters.
fn pieces(key: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = key.char_indices().collect();
    let mut start: Option<usize> = None;
    for (i, &(at, c)) in chars.iter().enumerate() {
        let here = class(c);
        let boundary = match (i.checked_sub(1).map(|p| class(chars[p].1)), here) {
            (_, Class::Other) => true,
            (None, _) => false,
            (Some(prev), _) if prev != here && !(prev == Class::Upper && here == Class::Lower) => {
                true
            }
            // `IDCard`: the `C` of `Card` starts a word.
            (Some(Class::Upper), Class::Upper) => chars
                .get(i + 1)
                .is_some_and(|&(_, n)| class(n) == Class::Lower),
            _ => false,
        };
        if boundary {
            if let Some(s) = start.take() {
                out.push(&key[s..at]);
            }
        }
        if here != Class::Other && start.is_none() {
            start = Some(at);
        }
    }
    if let Some(s) = start {
        out.push(&key[s..]);
    }
    out
}

/// The words of `key`, in order, each with what it means (unknown words
/// carry no concepts and are left out).
pub(crate) fn words(key: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let pieces = pieces(key);
    let mut i = 0;
    while i < pieces.len() && out.len() < MAX_WORDS {
        let piece = pieces[i];
        i += 1;
        let first = piece.chars().next().expect("pieces are not empty");
        match class(first) {
            Class::Han => chinese(piece, &mut out),
            Class::Digit | Class::Other => {}
            Class::Upper | Class::Lower => {
                let lower = piece.to_ascii_lowercase();
                // `md5`, `ipv4`, `sha256`: letters and digits that are one word.
                let joined = pieces.get(i).filter(|d| d.as_bytes()[0].is_ascii_digit());
                match joined.and_then(|d| lookup(&format!("{lower}{d}"))) {
                    Some(word) => {
                        out.push(word);
                        i += 1;
                    }
                    None => letters(&lower, &mut out),
                }
            }
        }
    }
    out.truncate(MAX_WORDS);
    out
}

/// A Chinese run cut into lexicon words, longest first; characters no word
/// covers carry nothing.
fn chinese(run: &str, out: &mut Vec<Word>) {
    let mut at = 0;
    while at < run.len() {
        let rest = &run[at..];
        let longest = WORDS
            .iter()
            .filter(|(w, _)| !w.is_ascii() && rest.starts_with(*w))
            .max_by_key(|(w, _)| w.len());
        match longest {
            Some(&(word, concepts)) => {
                out.push(Word { word, concepts });
                at += word.len();
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
}

/// Two-letter words that may end a run-together key (`custnm`, `idno`):
/// other two-letter pieces would cut almost any string.
const SHORT_SUFFIXES: &[&str] = &["no", "nm", "id", "dt", "tp", "sn", "en"];

fn letters(run: &str, out: &mut Vec<Word>) {
    if let Some(word) = lookup(run) {
        out.push(word);
        return;
    }
    // Plurals: `receivers`, `addresses`, `contacts`.
    for singular in [run.strip_suffix("es"), run.strip_suffix('s')]
        .into_iter()
        .flatten()
    {
        if let Some(word) = lookup(singular).filter(|_| singular.len() >= 3) {
            out.push(word);
            return;
        }
    }
    if let Some(split) = break_words(run) {
        out.extend(split);
        return;
    }
    if let Some(word) = qualified_coordinate(run).or_else(|| qualified_name(run)) {
        out.push(word);
        return;
    }
    if let Some(initials) = pinyin::read(run) {
        out.extend(initials.iter().map(|i| Word {
            word: i.word,
            concepts: i.concepts,
        }));
        return;
    }
    if let Some(word) = abbreviation(run) {
        out.push(word);
    }
}

/// `cardholdername` → card holder name: the fewest known words covering
/// the run, each of three letters or more (or a short suffix at the end).
fn break_words(run: &str) -> Option<Vec<Word>> {
    let n = run.len();
    if !(5..=40).contains(&n) {
        return None;
    }
    let mut best: Vec<Option<Vec<Word>>> = vec![None; n + 1];
    best[0] = Some(Vec::new());
    for start in 0..n {
        let Some(before) = best[start].clone() else {
            continue;
        };
        for end in start + 2..=n {
            let piece = &run[start..end];
            let allowed = piece.len() >= 3 || (end == n && SHORT_SUFFIXES.contains(&piece));
            if !allowed {
                continue;
            }
            if let Some(word) = lookup(piece) {
                if best[end]
                    .as_ref()
                    .is_none_or(|b| b.len() > before.len() + 1)
                {
                    let mut words = before.clone();
                    words.push(word);
                    best[end] = Some(words);
                }
            }
        }
    }
    best[n].take().filter(|words| words.len() >= 2)
}

/// `flat`, `tlng`, `slat`, `dlon`: a coordinate word behind one letter
/// that says which end of a trip it is (from, to, start, destination).
/// The letter is a guess, so the key reads as a place, not as coordinates:
/// the value's shape (a latitude or a longitude) must agree.
fn qualified_coordinate(run: &str) -> Option<Word> {
    let head = run.get(1..).filter(|_| run.len() <= 6)?;
    lookup(head)
        .filter(|w| w.concepts & COORDINATE != 0 && head.len() >= 3)
        .map(|w| Word {
            word: w.word,
            concepts: PLACE,
        })
}

/// `eacnam`, `xqnm`: a name word behind a qualifier of two to four letters
/// nobody knows (a banking file's column prefix; `rcvnm`, `payeenam` split
/// into known words before this is asked). Only a
/// name: the value's shape decides (a person's name, never a company's),
/// where a number or an account behind the same prefix could be anyone's.
fn qualified_name(run: &str) -> Option<Word> {
    ["name", "nam", "nm"].into_iter().find_map(|head| {
        let qualifier = run.strip_suffix(head)?;
        let fits = (2..=4).contains(&qualifier.len()) && lookup(qualifier).is_none();
        fits.then(|| lookup(head))
            .flatten()
            .filter(|w| w.concepts & NAME != 0)
    })
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// `cust` → customer, `pspt` → passport, `rcvr` → receiver: a run of three
/// letters or more that is a prefix of exactly one meaning's words (four
/// letters or more), or that keeps only consonants after its first letter
/// and is a subsequence of such words. Two meanings that fit make it
/// unknown.
fn abbreviation(run: &str) -> Option<Word> {
    let b = run.as_bytes();
    if b.len() < 3 || b.len() > 8 {
        return None;
    }
    // A skeleton keeps the first letter and consonants; three letters
    // that start with a vowel are more often a word (`end`, `ask`) than
    // `acc`-style shorthand, which the lexicon lists where it is used.
    let skeleton = b[1..].iter().all(|c| !is_vowel(*c)) && (b.len() >= 4 || !is_vowel(b[0]));
    let mut found: Option<Word> = None;
    for &(word, concepts) in WORDS {
        let w = word.as_bytes();
        if concepts == 0 || !word.is_ascii() || w.len() <= b.len() || w[0] != b[0] {
            continue;
        }
        // `post` is not short for `postcode`: a prefix that leaves a whole
        // word of four letters or more behind is that compound's first
        // word, not an abbreviation (`custo` still is one of `customer`).
        let rest = &word[b.len().min(word.len())..];
        let compound = rest.len() >= 4 && lookup(rest).is_some();
        // A short run is a shorthand only when it drops three letters or
        // more: `self` is not `selfie`; `receive` still is `receiver`.
        let drops_enough = w.len() >= b.len() + 3 || b.len() >= 5;
        let prefix = b.len() >= 4 && drops_enough && w.starts_with(b) && !compound;
        let fits = prefix || (skeleton && is_subsequence(b, w));
        if !fits {
            continue;
        }
        match found {
            Some(f) if f.concepts != concepts => return None,
            Some(_) => {}
            None => found = Some(Word { word, concepts }),
        }
    }
    found
}

fn is_subsequence(short: &[u8], long: &[u8]) -> bool {
    let mut it = long.iter();
    short.iter().all(|c| it.any(|l| l == c))
}

/// Whether the lexicon means anything by `concepts` (for tests).
#[cfg(test)]
fn spelled(key: &str) -> Vec<&'static str> {
    words(key)
        .into_iter()
        .filter(|w| w.concepts != 0)
        .map(|w| w.word)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_spelling() {
        for key in [
            "cust_nm", "custNm", "CUST-NM", "CustNm", "cust.nm", "CUSTNM",
        ] {
            assert_eq!(spelled(key), ["cust", "nm"], "{key}");
        }
        assert_eq!(spelled("IDCardNo"), ["id", "card", "no"]);
        assert_eq!(spelled("IDCARDNO"), ["idcard", "no"]);
        assert_eq!(spelled("cardholdername"), ["cardholder", "name"]);
        assert_eq!(spelled("addressLine2"), ["address", "line"]);
        assert_eq!(spelled("收款人姓名"), ["收款人", "姓名"]);
        assert_eq!(spelled("公民身份号码"), ["公民身份", "号码"]);
        assert_eq!(spelled("sjhm"), ["手机", "号码"]);
        assert_eq!(spelled("pspt_no"), ["pspt", "no"]);
        assert_eq!(spelled("rcvr_addr"), ["rcvr", "addr"]);
        assert_eq!(spelled("设备ID"), ["设备", "id"]);
        assert_eq!(spelled("tlng"), ["lng"]);
        assert_eq!(spelled("flat"), ["lat"]);
    }

    #[test]
    fn abbreviations_expand_to_one_meaning() {
        let word = |t: &str| abbreviation(t).map(|w| w.word);
        assert_eq!(word("brthdy"), Some("birthday"));
        assert_eq!(word("custo"), Some("customer"));
        assert_eq!(word("mbln"), None);
        assert_eq!(word("xyz"), None);
        // Consonants that fit two meanings are left unknown.
        assert_eq!(word("pst"), None);
        // A compound's first word is not short for the compound, and three
        // letters from a vowel are a word, not a skeleton.
        assert_eq!(word("post"), None, "postcode is post + code");
        assert_eq!(word("end"), None, "not encrypted");
        assert_eq!(word("self"), None, "not selfie");
        assert_eq!(word("receive"), Some("receiver"));
    }

    use crate::vocab::lexicon::concept;

    #[test]
    fn concepts_are_kept() {
        let w = words("payeeAcctNo");
        assert!(w.iter().any(|w| w.concepts & concept::ACCOUNT != 0));
        assert!(w.iter().any(|w| w.concepts & concept::PERSON != 0));
    }
}
