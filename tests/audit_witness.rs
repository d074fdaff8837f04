//! Witnesses: every checkpoint handed to an HTTP witness (a real server on
//! 127.0.0.1, port 0) as the signed note, which verifies with the
//! replica's public key; a witness that cannot be reached is counted and
//! never holds up the log; the file witness refuses a rewound log; the
//! NATS witness (a real `nats-server -js`) publishes them to a stream.

mod common;

use std::time::Duration;

use common::{MockPartner, Reply};
use pii_proxy::audit::checkpoint::SignedNote;
use pii_proxy::audit::{
    AuditConfig, AuditHandle, CheckpointConfig, FileWitness, FsyncPolicy, Witness,
    verifiers_from_keyring,
};
use pii_proxy::net::witness::HttpWitness;
use pii_proxy::protect::Keyring;

fn config(dir: &std::path::Path) -> AuditConfig {
    let mut config = AuditConfig {
        dir: dir.to_path_buf(),
        fsync: FsyncPolicy::Off,
        ..AuditConfig::default()
    };
    config.checkpoints.every_records = 5;
    config
}

fn share(n: u32) -> pii_proxy::audit::Share {
    let label = |t: &str| pii_proxy::audit::Ident::new(t).expect("label");
    pii_proxy::audit::Share {
        id: label(&format!("req-{n}")),
        partner: label("demo"),
        method: label("POST"),
        path: pii_proxy::audit::AuditPath::from_request("/v1/q"),
        subject: None,
        subjects: Vec::new(),
        subject_parts: 0,
        consent: pii_proxy::audit::Consent::NoSubject,
        fields: Vec::new(),
        fields_total: None,
        rules_version: pii_proxy::audit::RulesVersion::of_policy(b"r"),
        bytes_in: 1,
        bytes_out: 1,
        cross_border: None,
        export_basis: None,
        partner_name: None,
        scenario: None,
        consent_decisions: Vec::new(),
        consent_decisions_more: None,
        classes: Default::default(),
        candidate: None,
    }
}

async fn write(handle: &AuditHandle, n: u32) {
    for i in 0..n {
        handle.append(share(i)).await.expect("accepted");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_witness_receives_every_newest_checkpoint_as_a_signed_note() {
    let witness = MockPartner::start(None, Reply::Echo).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = Keyring::generate();
    let url = format!("http://{}/add-checkpoint", witness.addr);
    let http: Box<dyn Witness> = Box::new(HttpWitness::new(&url).expect("witness"));
    let handle = AuditHandle::open(&config(dir.path()), &keyring, vec![http]).expect("open");
    write(&handle, 23).await;
    handle.shutdown().await.expect("shutdown");
    // The shutdown checkpoint covers all 23 shares and the 4 checkpoints before it.
    let mut last = None;
    for _ in 0..500 {
        last = witness.recorded().last().cloned();
        if last
            .as_ref()
            .is_some_and(|r| r.body.starts_with(b"pii-proxy/single\n27\n"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let last = last.expect("the witness got checkpoints");
    assert_eq!(last.method, "POST");
    assert_eq!(last.uri, "/add-checkpoint");
    let note = SignedNote::parse(std::str::from_utf8(&last.body).expect("text")).expect("a note");
    assert_eq!(note.checkpoint.size, 27);
    let keys = verifiers_from_keyring(&keyring, &CheckpointConfig::default());
    assert_eq!(note.verify(&keys), Ok("pii-proxy/single/k1"));
    assert_eq!(handle.stats().witness_failures, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_witness_is_counted_and_the_log_goes_on() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("http://127.0.0.1:{port}/");
    let http: Box<dyn Witness> = Box::new(HttpWitness::new(&url).expect("witness"));
    let handle =
        AuditHandle::open(&config(dir.path()), &Keyring::generate(), vec![http]).expect("open");
    write(&handle, 12).await;
    for _ in 0..500 {
        if handle.stats().witness_failures > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(handle.stats().witness_failures > 0);
    write(&handle, 3).await;
    assert!(handle.stats().checkpoints_written >= 2);
    handle.shutdown().await.expect("the log closes cleanly");
    assert!(
        HttpWitness::new("http://witness.example/").is_err(),
        "plain http off loopback"
    );
}

#[test]
fn the_file_witness_refuses_a_smaller_or_different_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = Keyring::generate();
    let mut witness = FileWitness::new(dir.path().join("w/cp.txt"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    let notes: Vec<SignedNote> = ["a", "b"]
        .iter()
        .map(|sub| {
            let path = dir.path().join(sub);
            runtime.block_on(async {
                let handle = AuditHandle::open(&config(&path), &keyring, Vec::new()).expect("open");
                write(&handle, if *sub == "a" { 12 } else { 6 }).await;
                handle.shutdown().await.expect("shutdown");
            });
            let latest = pii_proxy::audit::proof::latest_checkpoint(&[path]).expect("read");
            latest.expect("a checkpoint")
        })
        .collect();
    witness.submit(&notes[0]).expect("kept");
    let refused = witness.submit(&notes[1]).expect_err("a smaller tree");
    assert!(refused.contains("rewound or rewritten"), "{refused}");
    let kept = std::fs::read_to_string(dir.path().join("w/cp.txt")).expect("kept");
    assert_eq!(kept, notes[0].to_string());
}

/// The NATS witness on a real `nats-server -js`: checkpoints kept by a
/// stream capturing the witness subject, each verifying with the
/// replica's key; a subject no stream captures, or a stopped server, is a
/// counted failure and the log goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_witness_keeps_checkpoints_in_a_stream_and_failures_are_counted() {
    use pii_proxy::audit::shipping::NatsServer;
    use pii_proxy::net::nats::NatsWitness;
    let Some(mut nats) = common::servers::Nats::start() else {
        return;
    };
    let client = async_nats::connect(nats.url()).await.expect("connect");
    let js = async_nats::jetstream::new(client);
    js.create_stream(async_nats::jetstream::stream::Config {
        name: "CHECKPOINTS".into(),
        subjects: vec!["pii.checkpoints.>".into()],
        ..Default::default()
    })
    .await
    .expect("a stream for the witness");
    let server = NatsServer {
        url: nats.url(),
        token_file: None,
        user: None,
        password_file: None,
        ca: None,
        cert: None,
        key: None,
    };
    let kept: Box<dyn Witness> = Box::new(NatsWitness::new(
        server.clone(),
        "pii.checkpoints.single".into(),
    ));
    let uncaptured: Box<dyn Witness> = Box::new(NatsWitness::new(server, "pii.nowhere".into()));
    let dir = tempfile::tempdir().expect("tempdir");
    let keyring = Keyring::generate();
    let handle =
        AuditHandle::open(&config(dir.path()), &keyring, vec![kept, uncaptured]).expect("open");
    write(&handle, 23).await;
    handle.shutdown().await.expect("shutdown");
    let stream = js.get_stream("CHECKPOINTS").await.expect("stream");
    let mut held = None;
    for _ in 0..1000 {
        let last = stream
            .get_last_raw_message_by_subject("pii.checkpoints.single")
            .await;
        if let Ok(message) = last {
            let note = SignedNote::parse(std::str::from_utf8(&message.payload).expect("text"))
                .expect("a note");
            if note.checkpoint.size == 27 {
                held = Some(note);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let note = held.expect("the stream kept the shutdown checkpoint");
    let keys = verifiers_from_keyring(&keyring, &CheckpointConfig::default());
    assert_eq!(note.verify(&keys), Ok("pii-proxy/single/k1"));
    // The uncaptured subject fails (no stream acknowledges it), on its own
    // witness thread: counted once that thread gets its answer.
    for _ in 0..3000 {
        if handle.stats().witness_failures >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(handle.stats().witness_failures >= 1);

    // A stopped server: counted, and the log goes on.
    nats.stop();
    let dir = tempfile::tempdir().expect("tempdir");
    let server = NatsServer {
        url: nats.url(),
        token_file: None,
        user: None,
        password_file: None,
        ca: None,
        cert: None,
        key: None,
    };
    let down: Box<dyn Witness> = Box::new(NatsWitness::new(server, "pii.checkpoints.x".into()));
    let handle = AuditHandle::open(&config(dir.path()), &keyring, vec![down]).expect("open");
    write(&handle, 6).await;
    for _ in 0..3000 {
        if handle.stats().witness_failures > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(handle.stats().witness_failures > 0);
    write(&handle, 3).await;
    handle.shutdown().await.expect("the log closes cleanly");
}
