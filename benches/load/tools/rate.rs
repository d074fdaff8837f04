//! An open-loop, fixed-rate load generator (what wrk2 does; Debian ships
//! only wrk). A pacing thread releases one slot per `1/rate` seconds; a pool
//! of keep-alive HTTP/1.1 connections takes the slots in order and sends one
//! request each. Latency is measured from the slot's *intended* time to the
//! end of the response body, so a server that stalls is charged for the
//! requests queued behind the stall (no coordinated omission).
//!
//! The pacing thread sleeps with `std::thread::sleep` (tens of microseconds
//! of jitter on Linux) rather than the async timer (millisecond ticks), which
//! would bunch requests into bursts and add up to a millisecond of false
//! latency. The generator's own floor shows in the harness as the latency of
//! the `direct` target at the same rate.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Request, Uri, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

#[derive(clap::Args)]
pub struct Args {
    /// Target URL (`http://127.0.0.1:PORT/path`).
    #[arg(long)]
    url: String,
    /// File posted as the body of every request (`application/json`).
    #[arg(long)]
    body: PathBuf,
    /// Requests per second.
    #[arg(long)]
    rate: f64,
    /// Measured seconds (after the warm-up).
    #[arg(long)]
    duration: f64,
    /// Seconds at the same rate before measuring.
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Keep-alive connections (enough that one is always free at this rate).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Runtime worker threads (default: the CPUs this process may use).
    #[arg(long)]
    threads: Option<usize>,
    /// Seconds after the last slot before unfinished requests are given up.
    #[arg(long, default_value_t = 5.0)]
    grace: f64,
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    /// Microseconds from intended send to the end of the response, for the
    /// measured slots that completed with a status below 400.
    latencies_us: Vec<u32>,
    ok: u64,
    status_errors: u64,
    transport_errors: u64,
    /// Slots still queued when the grace period ended.
    unsent: u64,
}

struct Target {
    addr: SocketAddr,
    host: header::HeaderValue,
    path: Uri,
    body: Bytes,
}

pub fn run(args: &Args) -> Result<(), String> {
    if !(args.rate > 0.0 && args.duration > 0.0 && args.warmup >= 0.0 && args.connections > 0) {
        return Err("--rate, --duration and --connections must be positive".into());
    }
    let target = target(args)?;
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads);
    }
    let runtime = runtime
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let report = runtime.block_on(drive(args, Arc::new(target)))?;
    println!("{report}");
    Ok(())
}

fn target(args: &Args) -> Result<Target, String> {
    let uri: Uri = args.url.parse().map_err(|e| format!("--url: {e}"))?;
    let authority = uri.authority().ok_or("--url needs host:port")?.clone();
    let addr = authority
        .as_str()
        .to_socket_addrs()
        .map_err(|e| format!("--url: {e}"))?
        .next()
        .ok_or("--url: the host has no address")?;
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .parse()
        .map_err(|e| format!("--url path: {e}"))?;
    let body = std::fs::read(&args.body).map_err(|e| format!("{}: {e}", args.body.display()))?;
    Ok(Target {
        addr,
        host: header::HeaderValue::from_str(authority.as_str()).map_err(|e| e.to_string())?,
        path,
        body: Bytes::from(body),
    })
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn drive(args: &Args, target: Arc<Target>) -> Result<String, String> {
    let mut senders = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        senders.push(connect(target.addr).await?);
    }
    let start = Instant::now() + Duration::from_millis(50);
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let last_slot = measure_from + Duration::from_secs_f64(args.duration);
    let give_up = last_slot + Duration::from_secs_f64(args.grace);
    let (tx, rx) = mpsc::unbounded_channel::<Instant>();
    let rx = Arc::new(Mutex::new(rx));
    let total = ((args.warmup + args.duration) * args.rate).round() as u64;
    let interval_ns = 1e9 / args.rate;
    let pacer = std::thread::spawn(move || {
        for i in 0..total {
            let intended = start + Duration::from_nanos((i as f64 * interval_ns) as u64);
            let now = Instant::now();
            if intended > now {
                std::thread::sleep(intended - now);
            }
            if tx.send(intended).is_err() {
                break;
            }
        }
    });
    let workers: Vec<_> = senders
        .into_iter()
        .map(|sender| {
            let rx = rx.clone();
            let target = target.clone();
            tokio::spawn(worker(sender, rx, target, measure_from, give_up))
        })
        .collect();
    let mut all = Tally::default();
    for w in workers {
        let t = w.await.map_err(|e| format!("worker: {e}"))?;
        all.latencies_us.extend(t.latencies_us);
        all.ok += t.ok;
        all.status_errors += t.status_errors;
        all.transport_errors += t.transport_errors;
        all.unsent += t.unsent;
    }
    let _ = pacer.join();
    Ok(report(args, all))
}

async fn worker(
    sender: SendRequest<Full<Bytes>>,
    rx: Arc<Mutex<mpsc::UnboundedReceiver<Instant>>>,
    target: Arc<Target>,
    measure_from: Instant,
    give_up: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut sender = Some(sender);
    loop {
        let Some(intended) = rx.lock().await.recv().await else {
            return tally;
        };
        let measured = intended >= measure_from;
        if Instant::now() > give_up {
            tally.unsent += u64::from(measured);
            continue;
        }
        let deadline = tokio::time::Instant::from_std(give_up);
        let result = tokio::time::timeout_at(deadline, exchange(&mut sender, &target)).await;
        let elapsed = intended.elapsed();
        match result {
            Ok(Ok(status)) if measured && status < 400 => {
                tally.ok += 1;
                tally
                    .latencies_us
                    .push(elapsed.as_micros().min(u32::MAX as u128) as u32);
            }
            Ok(Ok(_)) if measured => tally.status_errors += 1,
            Ok(Ok(_)) => {}
            Ok(Err(_)) | Err(_) => {
                sender = None;
                tally.transport_errors += u64::from(measured);
            }
        }
    }
}

/// One request on the connection, reconnecting first if it was lost.
async fn exchange(
    sender: &mut Option<SendRequest<Full<Bytes>>>,
    target: &Target,
) -> Result<u16, String> {
    if sender.as_ref().is_none_or(|s| s.is_closed()) {
        *sender = Some(connect(target.addr).await?);
    }
    let s = sender.as_mut().expect("connected above");
    s.ready().await.map_err(|e| e.to_string())?;
    let request = Request::post(target.path.clone())
        .header(header::HOST, target.host.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(target.body.clone()))
        .map_err(|e| e.to_string())?;
    let response = s.send_request(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(status)
}

fn report(args: &Args, mut all: Tally) -> String {
    all.latencies_us.sort_unstable();
    let pct = |p: f64| -> u32 {
        if all.latencies_us.is_empty() {
            return 0;
        }
        let rank = ((p / 100.0) * all.latencies_us.len() as f64).ceil() as usize;
        all.latencies_us[rank.clamp(1, all.latencies_us.len()) - 1]
    };
    format!(
        r#"{{"rate":{},"duration_s":{},"connections":{},"ok":{},"status_errors":{},"transport_errors":{},"unsent":{},"achieved_rps":{:.1},"p50_us":{},"p90_us":{},"p99_us":{},"p999_us":{},"max_us":{}}}"#,
        args.rate,
        args.duration,
        args.connections,
        all.ok,
        all.status_errors,
        all.transport_errors,
        all.unsent,
        all.ok as f64 / args.duration,
        pct(50.0),
        pct(90.0),
        pct(99.0),
        pct(99.9),
        all.latencies_us.last().copied().unwrap_or(0),
    )
}
