//! The routes by which personal data, or a revoked user's data, used to
//! leave unprotected, each tried as an attacker would against the shipped
//! rules (`rules/demo.yaml`) on the in-process proxy, with what the partner
//! received and what the audit log says. Each test is named for the route
//! it closes.

mod common;

use bytes::Bytes;
use common::*;
use http::Request;
use http_body_util::Full;

const DEMO_RULES: &str = include_str!("../rules/demo.yaml");

/// The proxy with the shipped demo rules for partner `p` in front of a
/// recording partner.
async fn demo_proxy(extra: &str) -> (MockPartner, TestProxy) {
    let partner = MockPartner::start(None, Reply::Echo).await;
    let config = one_partner(&format!("http://{}", partner.addr), "", extra)
        .replace("rules/test.yaml", "rules/demo.yaml");
    let proxy = TestProxy::start_with(&config, &[("rules/demo.yaml", DEMO_RULES)]).await;
    (partner, proxy)
}

/// What the partner received of the last request.
fn received(partner: &MockPartner) -> Recorded {
    partner
        .recorded()
        .pop()
        .expect("the partner received the request")
}

fn json_post(url: &str, body: &str) -> Request<Full<Bytes>> {
    post(url, "application/json", body.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_in_exponent_form_are_read_as_their_integer_value() {
    let (partner, proxy) = demo_proxy("").await;
    let client = h1_client();
    let body = r#"{"a":110105194912310118e0,"b":1.10105194912310118e17,"c":6.222021234567890128e18,"d":1.38001380e10,"amount":4711.0,"rate":0.25}"#;
    let answer = send(&client, json_post(&proxy.url("/p/v1/x"), body)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let got = String::from_utf8(received(&partner).body.to_vec()).expect("UTF-8");
    for spelling in [
        "110105194912310118e0",
        "1.10105194912310118e17",
        "6.222021234567890128e18",
        "1.38001380e10",
    ] {
        assert!(!got.contains(spelling), "{spelling} left raw: {got}");
    }
    let value: serde_json::Value = serde_json::from_str(&got).expect("JSON");
    assert!(
        value["a"]
            .as_str()
            .is_some_and(|s| s.starts_with("pii:v1:")),
        "{got}"
    );
    assert!(
        value["d"]
            .as_str()
            .is_some_and(|s| s.starts_with("138****")),
        "{got}"
    );
    // Numbers that are not personal stay byte for byte.
    assert!(got.contains(r#""amount":4711.0,"rate":0.25"#), "{got}");
}
