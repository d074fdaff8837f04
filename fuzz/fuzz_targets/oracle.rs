//! What both targets check of a document that left the proxy: no value the
//! demo rules protect is still one of the fixed personal values the
//! dictionary and seeds insert. Shared by `engine` and `request`.
//!
//! Sound by construction: it flags only a JSON value (a string, or an
//! integer literal) that is *exactly* one of [`PERSONAL`], outside the
//! subject's `user_id` members (the subject is not protected) and outside
//! object keys (the demo rules protect values). Every such value is one
//! the demo rules' detectors (`cn_mobile`, `cn_resident_id`, `bank_card`)
//! protect, and every field rule of the demo rules transforms its value,
//! so a hit is a leak. Values that only contain a personal value, or spell
//! it another way (`1.38001380e10`), are not checked: not flagging them
//! keeps the oracle free of false alarms.

use serde_json::Value;

/// A mainland mobile number, a resident ID (valid check digit) and a card
/// number (valid Luhn digit), as the engine's own tests use them.
pub const PERSONAL: [&str; 3] = ["13800138000", "110105194912310118", "6222021234567890128"];

/// The subject's key in the demo rules (`subject: {keys: [user_id]}`).
const SUBJECT_KEY: &str = "user_id";

/// `Some(where)` when `value` holds a personal value in a protected place.
pub fn leaked(value: &Value) -> Option<String> {
    let mut path = String::from("$");
    find(value, &mut path)
}

fn find(value: &Value, path: &mut String) -> Option<String> {
    match value {
        Value::String(s) if is_personal(s) => Some(path.clone()),
        Value::Number(n) => n
            .as_u64()
            .filter(|n| is_personal(&n.to_string()))
            .map(|_| path.clone()),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let hit = find(item, path);
            path.truncate(len);
            hit
        }),
        Value::Object(members) => members
            .iter()
            .filter(|(key, _)| key.as_str() != SUBJECT_KEY)
            .find_map(|(key, item)| {
                let len = path.len();
                path.push_str(&format!(".{key:?}"));
                let hit = find(item, path);
                path.truncate(len);
                hit
            }),
        _ => None,
    }
}

pub fn is_personal(text: &str) -> bool {
    PERSONAL.contains(&text)
}
