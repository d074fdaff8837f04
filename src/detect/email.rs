//! Email addresses, found from each `@` outwards.
//!
//! Owns the shape rules (local part, dotted domain with an alphabetic top
//! label); anything fancier than the characters people actually type is left
//! to user patterns.

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-'
}

/// Calls `emit(start, end)` for each email address in `t`.
pub(crate) fn scan_emails(t: &[u8], mut emit: impl FnMut(usize, usize)) {
    let mut next = 0;
    for at in memchr::memchr_iter(b'@', t) {
        if at < next {
            continue;
        }
        let mut start = at;
        while start > 0 && is_local(t[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(t[start], b'.' | b'-' | b'+') {
            start += 1;
        }
        let mut end = at + 1;
        while end < t.len() && is_domain(t[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(t[end - 1], b'.' | b'-') {
            end -= 1;
        }
        if start < at && valid_domain(&t[at + 1..end]) {
            emit(start, end);
            next = end;
        }
    }
}

/// Last labels that name a file type, not a top-level domain: `icon@2x.png`
/// and `banner@3x.jpg` are image names in every app payload.
const FILE_EXTENSIONS: &[&[u8]] = &[
    b"png", b"jpg", b"jpeg", b"gif", b"webp", b"svg", b"bmp", b"ico", b"heic", b"avif", b"tif",
    b"tiff", b"mp4", b"mp3", b"pdf", b"js", b"css", b"json", b"html", b"htm", b"xml", b"txt",
    b"csv",
];

/// Dotted labels, none empty or starting/ending with `-`, the last alphabetic
/// and not a file extension.
fn valid_domain(domain: &[u8]) -> bool {
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in domain.split(|b| *b == b'.') {
        if label.is_empty() || label[0] == b'-' || label[label.len() - 1] == b'-' {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2
        && last.len() >= 2
        && last.iter().all(u8::is_ascii_alphabetic)
        && !FILE_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        scan_emails(text.as_bytes(), |s, e| found.push(&text[s..e]));
        found
    }

    #[test]
    fn addresses_in_text() {
        assert_eq!(
            emails("请发到zhang.wei+pay@example.com.cn，谢谢"),
            ["zhang.wei+pay@example.com.cn"]
        );
        assert_eq!(emails("mailto:li_na@163.com."), ["li_na@163.com"]);
        assert_eq!(emails("a@b.co, c@d.org"), ["a@b.co", "c@d.org"]);
        assert_eq!(emails("13812345678@qq.com"), ["13812345678@qq.com"]);
    }

    #[test]
    fn look_alikes() {
        assert!(emails("@everyone").is_empty());
        assert!(emails("user@localhost").is_empty());
        assert!(emails("pkg@1.2.3").is_empty());
        assert!(emails("a@b..com").is_empty());
        assert!(emails("weibo @ zhang").is_empty());
        assert!(emails("https://cdn.example.com/img/icon@2x.png").is_empty());
        assert!(emails("banner_645@3x.JPG").is_empty());
    }
}
