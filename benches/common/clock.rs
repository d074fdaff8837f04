//! The clock a bench measures with: wall time (criterion's default), or,
//! with `BENCH_CLOCK=cpu`, the CPU time of the benchmarking thread
//! (`CLOCK_THREAD_CPUTIME_ID`, exact to the nanosecond). On a machine shared
//! with other builds, wall time also counts the time the thread waited for
//! a core; CPU time does not, so a baseline and a candidate measured minutes
//! apart still compare. Values are nanoseconds either way.

use std::time::Instant;

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};

pub struct Clock {
    cpu: bool,
}

impl Clock {
    /// CPU time when `BENCH_CLOCK=cpu` and the kernel reports it.
    pub fn from_env() -> Self {
        let wanted = std::env::var("BENCH_CLOCK").is_ok_and(|v| v == "cpu");
        let cpu = wanted && thread_cpu_ns().is_some();
        if wanted && !cpu {
            eprintln!("BENCH_CLOCK=cpu: no thread CPU clock here; using wall time");
        }
        if cpu {
            eprintln!("measuring thread CPU time (BENCH_CLOCK=cpu)");
        }
        Clock { cpu }
    }
}

/// Nanoseconds this thread has run on a CPU.
#[allow(unsafe_code, reason = "one system call, see the SAFETY note")]
fn thread_cpu_ns() -> Option<u64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the duration of the call.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u64::try_from(now.tv_nsec).ok()?;
    (status == 0).then(|| seconds * 1_000_000_000 + nanos)
}

pub enum Start {
    Wall(Instant),
    Cpu(u64),
}

impl Measurement for Clock {
    type Intermediate = Start;
    type Value = f64;

    fn start(&self) -> Start {
        match self.cpu {
            true => Start::Cpu(thread_cpu_ns().expect("checked at start-up")),
            false => Start::Wall(Instant::now()),
        }
    }

    fn end(&self, start: Start) -> f64 {
        match start {
            Start::Wall(at) => at.elapsed().as_nanos() as f64,
            Start::Cpu(at) => (thread_cpu_ns().expect("checked at start-up") - at) as f64,
        }
    }

    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }

    fn zero(&self) -> f64 {
        0.0
    }

    fn to_f64(&self, value: &f64) -> f64 {
        *value
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

struct Nanoseconds;

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (divisor, unit) = match typical {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e3, "µs"),
            t if t < 1e9 => (1e6, "ms"),
            _ => (1e9, "s"),
        };
        values.iter_mut().for_each(|v| *v /= divisor);
        unit
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let (per_iteration, units): (f64, [&'static str; 4]) = match throughput {
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => {
                (*n as f64, ["B/s", "KiB/s", "MiB/s", "GiB/s"])
            }
            Throughput::ElementsAndBytes { bytes, .. } => {
                (*bytes as f64, ["B/s", "KiB/s", "MiB/s", "GiB/s"])
            }
            Throughput::Bits(n) => (*n as f64, ["b/s", "Kib/s", "Mib/s", "Gib/s"]),
            Throughput::Elements(n) => (*n as f64, ["elem/s", "Kelem/s", "Melem/s", "Gelem/s"]),
        };
        let per_second = per_iteration * 1e9 / typical;
        let step = (0..3)
            .take_while(|i| per_second >= 1024f64.powi(i + 1))
            .count();
        let divisor = 1024f64.powi(step as i32);
        values
            .iter_mut()
            .for_each(|v| *v = per_iteration * 1e9 / *v / divisor);
        units[step]
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
