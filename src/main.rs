//! The `pii-proxy` command line: parsing, wiring and exit codes, nothing else.

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "pii-proxy",
    version,
    about = "Protects personal data in JSON shared with partners"
)]
enum Command {}

fn main() {
    let _ = Command::parse();
}
