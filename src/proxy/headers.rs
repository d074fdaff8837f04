//! Header handling on both legs: hop-by-hop removal (RFC 9110 §7.6.1),
//! `X-Forwarded-*` and `Forwarded`, and the request id.

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::ident;
use crate::net::ClientInfo;

/// The request id header: kept when the caller sent a sane one, generated
/// otherwise, sent upstream and returned on every response.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Removes the connection-specific headers: the fixed list and every header
/// the `Connection` header names.
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(*name);
    }
}

/// The caller's request id if it is an [`Ident`] (1-128 characters of
/// letters, digits and `_ - . :` without a run of 6 or more digits: a phone
/// or ID number would make the id personal data in logs and audit records),
/// otherwise a fresh random one.
pub fn request_id(headers: &HeaderMap) -> HeaderValue {
    let sent = headers
        .get(&REQUEST_ID)
        .filter(|v| v.to_str().is_ok_and(|text| ident::check(text).is_ok()));
    match sent {
        Some(v) => v.clone(),
        None => fresh_request_id(),
    }
}

/// 128 random bits in lowercase base32 (RFC 4648's alphabet: letters and
/// the digits 2-7), 26 characters. The rare draw with a run of 6 digits is
/// drawn again, so every id the proxy makes passes the identifier rule.
fn fresh_request_id() -> HeaderValue {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    loop {
        let mut bytes = [0u8; 16];
        // A failing OS RNG leaves zeros: the id is for correlation, not
        // for secrecy, and refusing traffic over it would be worse.
        if getrandom::fill(&mut bytes).is_err() {
            tracing::warn!("the OS random source failed; request id is not unique");
        }
        let bits = u128::from_be_bytes(bytes);
        let id: String = (0..26)
            .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]))
            .collect();
        if ident::check(&id).is_ok() {
            return HeaderValue::from_str(&id).expect("base32 is a valid header value");
        }
    }
}

/// Appends the caller to `X-Forwarded-For` and `Forwarded`, and records the
/// original scheme and host, so the partner can see the request's origin.
pub fn add_forwarded(
    headers: &mut HeaderMap,
    client: ClientInfo,
    original_host: Option<&HeaderValue>,
) {
    let ip = client.peer.ip();
    let proto = if client.tls { "https" } else { "http" };
    append_list(
        headers,
        HeaderName::from_static("x-forwarded-for"),
        &ip.to_string(),
    );
    headers.insert(
        HeaderName::from_static("x-forwarded-proto"),
        HeaderValue::from_static(proto),
    );
    let mut forwarded = format!("for={};proto={proto}", forwarded_node(ip));
    if let Some(host) = original_host.and_then(|h| h.to_str().ok()) {
        headers.insert(
            HeaderName::from_static("x-forwarded-host"),
            HeaderValue::from_str(host).expect("a header value stays a header value"),
        );
        if host
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            forwarded.push_str(&format!(";host=\"{host}\""));
        }
    }
    append_list(headers, header::FORWARDED, &forwarded);
}

/// RFC 7239 node: IPv6 addresses are bracketed and quoted.
fn forwarded_node(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("\"[{v6}]\""),
    }
}

/// Appends `value` to a comma-separated list header, joining existing lines.
fn append_list(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    let mut list: Vec<String> = headers
        .get_all(&name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect();
    list.push(value.to_string());
    let joined = HeaderValue::from_str(&list.join(", ")).expect("ASCII list stays a header value");
    headers.insert(name, joined);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_connection_named_headers_go() {
        let mut h = HeaderMap::new();
        h.insert(
            "connection",
            HeaderValue::from_static("keep-alive, X-Secret-Hop"),
        );
        h.insert("x-secret-hop", HeaderValue::from_static("1"));
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("te", HeaderValue::from_static("trailers"));
        h.insert("x-kept", HeaderValue::from_static("yes"));
        remove_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1, "{h:?}");
        assert_eq!(h["x-kept"], "yes");
    }

    #[test]
    fn request_id_is_kept_when_sane_and_made_otherwise() {
        let mut h = HeaderMap::new();
        h.insert(&REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id(&h), "abc-123");
        h.insert(&REQUEST_ID, HeaderValue::from_static("has space"));
        let made = request_id(&h);
        assert_eq!(made.len(), 26);
        h.insert(&REQUEST_ID, HeaderValue::from_static("req-13800138000"));
        assert_ne!(request_id(&h), "req-13800138000");
        for _ in 0..1000 {
            let id = request_id(&HeaderMap::new());
            assert!(ident::check(id.to_str().expect("ASCII")).is_ok(), "{id:?}");
        }
        assert_ne!(made, request_id(&HeaderMap::new()));
    }

    #[test]
    fn forwarded_headers_are_appended() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        let client = ClientInfo {
            peer: "[::1]:5000".parse().expect("addr"),
            tls: true,
        };
        add_forwarded(
            &mut h,
            client,
            Some(&HeaderValue::from_static("proxy.local:8443")),
        );
        assert_eq!(h["x-forwarded-for"], "10.0.0.1, ::1");
        assert_eq!(h["x-forwarded-proto"], "https");
        assert_eq!(h["x-forwarded-host"], "proxy.local:8443");
        assert_eq!(
            h["forwarded"],
            "for=\"[::1]\";proto=https;host=\"proxy.local:8443\""
        );
    }
}
