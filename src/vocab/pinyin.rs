//! Pinyin initials: `sjhm` is 手机号码 spelled by the first letter of each
//! syllable, `jtzz` 家庭住址. Rather than list such keys, the initials of
//! every Chinese word of the lexicon that carries a personal meaning are
//! derived here, and a key token is read as a run of them.

use std::sync::LazyLock;

use super::lexicon::{Concepts, WORDS, concept};

/// The first letter of each character's pinyin, for every character of the
/// lexicon's Chinese words (a test checks none is missing).
const INITIALS: &[&str] = &[
    "业y个g乘c产c人r付f件j份f企q位w住z体t保b信x借j像x公g出c办b务w",
    "动d区q单d卡k县x发f受s台t号h司s名m品p商s国g图t地d址z型x城c声s",
    "备b头t姓x子z字z定d实s客k家j寄j密m居j市s帐z平p年n应y店d度d座z",
    "庭t开k式s影y征z态t急j息x患h户h所s手s投t护h担d拼p持c指z掌z收s",
    "效x数s文w方f日r时s月y有y服f期q本b机j板b构g标b模m款k民m法f注z",
    "活h渠q照z片p牌p物w特t状z现x理l生s用y申s电d留l的d益y省s真z码m",
    "称c移y签q箱x籍j类l系x紧j纬w纹w细x经j绑b编b置z者z联l脸l膜m英y",
    "虹h行h被b订d讯x记j设s证z识s话h详x请q账z货h贯g身s通t道d邮y量l",
    "金j钥y银y铺p门m间j险x音y预y额e",
];

/// The pinyin initial of `c`, if the table has it.
pub(crate) fn initial(c: char) -> Option<char> {
    INITIALS.iter().find_map(|row| {
        let mut chars = row.chars();
        while let (Some(han), Some(letter)) = (chars.next(), chars.next()) {
            if han == c {
                return Some(letter);
            }
        }
        None
    })
}

/// Meanings whose Chinese words lend their initials: what a personal key
/// is made of. Owners, negatives and fillers do not (`sj` is 手机, not 时间).
const LENDS: Concepts = concept::NAME
    | concept::PERSON
    | concept::HOLDER
    | concept::ID_DOC
    | concept::IDENTITY
    | concept::NUMBER
    | concept::PASSPORT
    | concept::PHONE
    | concept::EMAIL
    | concept::ADDRESS
    | concept::HOME
    | concept::DETAIL
    | concept::BIRTH
    | concept::DATE
    | concept::CARD
    | concept::ACCOUNT
    | concept::BIO
    | concept::DEVICE
    | concept::COORDINATE;

/// Data a key names (rather than a person's role or a qualifier).
const DATA: Concepts = concept::NAME
    | concept::ID_DOC
    | concept::IDENTITY
    | concept::PASSPORT
    | concept::PHONE
    | concept::EMAIL
    | concept::ADDRESS
    | concept::BIRTH
    | concept::CARD
    | concept::ACCOUNT
    | concept::BIO
    | concept::DEVICE
    | concept::COORDINATE;

fn rank(concepts: Concepts) -> u8 {
    if concepts & concept::NUMBER != 0 {
        0
    } else if concepts & DATA != 0 {
        1
    } else {
        2
    }
}

/// One Chinese word's initials.
pub(crate) struct Initials {
    pub letters: String,
    pub word: &'static str,
    pub concepts: Concepts,
}

/// Every lending word's initials; where two words share them (`hm`: 号码 or
/// 户名, `sj`: 手机 or 收件), a number word wins, then a word naming a kind of
/// data over a role, then the first listed: keys spelled this way end with
/// 号码 and name the data (`sjhm`), seldom the person.
static TABLE: LazyLock<Vec<Initials>> = LazyLock::new(|| {
    let mut table: Vec<Initials> = Vec::new();
    for &(word, concepts) in WORDS {
        if concepts & LENDS == 0 || concepts & concept::NEGATIVE != 0 || word.is_ascii() {
            continue;
        }
        let Some(letters) = word.chars().map(initial).collect::<Option<String>>() else {
            continue;
        };
        match table.iter_mut().find(|i| i.letters == letters) {
            Some(existing) => {
                if rank(concepts) < rank(existing.concepts) {
                    *existing = Initials {
                        letters,
                        word,
                        concepts,
                    };
                }
            }
            None => table.push(Initials {
                letters,
                word,
                concepts,
            }),
        }
    }
    table
});

/// Reads `token` (lowercase ASCII letters) as initials of lexicon words:
/// the words, fewest first, or `None`. Every piece but the last comes from a
/// word of two characters or more (one-letter pieces would read any string);
/// the whole needs three letters.
pub(crate) fn read(token: &str) -> Option<Vec<&'static Initials>> {
    if token.len() < 3 || token.len() > 12 || !token.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let table = &*TABLE;
    // best[i]: the fewest pieces covering token[..i].
    let n = token.len();
    let mut best: Vec<Option<Vec<&Initials>>> = vec![None; n + 1];
    best[0] = Some(Vec::new());
    for start in 0..n {
        let Some(before) = best[start].clone() else {
            continue;
        };
        for entry in table {
            let end = start + entry.letters.len();
            let fits = token[start..].starts_with(&entry.letters)
                && (entry.letters.len() >= 2 || end == n);
            if fits
                && best[end]
                    .as_ref()
                    .is_none_or(|b| b.len() > before.len() + 1)
            {
                let mut pieces = before.clone();
                pieces.push(entry);
                best[end] = Some(pieces);
            }
        }
    }
    best[n].take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chinese_word_has_its_initials() {
        for (word, _) in WORDS {
            for c in word.chars().filter(|c| !c.is_ascii()) {
                assert!(initial(c).is_some(), "no initial for {c} (in {word})");
            }
        }
        for category in crate::vocab::BUILTIN_CATEGORIES {
            for word in crate::vocab::builtin_keys(category).unwrap_or(&[]) {
                for c in word.chars().filter(|c| !c.is_ascii()) {
                    assert!(initial(c).is_some(), "no initial for {c} (in {word})");
                }
            }
        }
    }

    fn words(token: &str) -> Vec<&'static str> {
        read(token)
            .unwrap_or_default()
            .iter()
            .map(|i| i.word)
            .collect()
    }

    #[test]
    fn keys_spelled_by_initials() {
        assert_eq!(words("sjhm"), ["手机", "号码"]);
        assert_eq!(words("jtzz"), ["家庭", "住址"]);
        assert_eq!(words("csrq"), ["出生日期"]);
        assert_eq!(words("sfzh"), ["身份", "证号"]);
        assert!(words("xyz").is_empty());
        assert!(words("abc").is_empty());
        assert!(words("sj").is_empty());
    }
}
