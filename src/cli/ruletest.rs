//! `pii-proxy test [PATH...]`: runs the rules tests (`*.test.yaml`) of the
//! named files and directories and prints each case's result, with what
//! differs for a failed one. Exit 0 when every case passes, 1 when one
//! fails or a test or rules file does not compile, 2 when a path cannot
//! be read or holds no test.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::Error;
use crate::ruletest::{self, TestError};

#[derive(Args)]
pub(super) struct TestArgs {
    /// Test files (`demo.test.yaml`), rules files (their `.test.yaml`
    /// beside them is run) or directories (every test file in them).
    #[arg(default_value = "rules")]
    paths: Vec<PathBuf>,
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    invalid: usize,
    trouble: usize,
}

pub(super) fn run(args: &TestArgs) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let mut tally = Tally::default();
    for path in &args.paths {
        let (tests, untested) = match ruletest::discover(path) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                tally.trouble += 1;
                continue;
            }
        };
        for rules in &untested {
            let beside = ruletest::test_beside(rules).unwrap_or_default();
            writeln!(
                out,
                "{}: no tests (write {})",
                rules.display(),
                beside.display()
            )?;
        }
        if tests.is_empty() {
            eprintln!(
                "error: no rules tests (*{}) at {}",
                ruletest::TEST_SUFFIX,
                path.display()
            );
            tally.trouble += 1;
        }
        for test in &tests {
            run_one(&mut out, test, &mut tally)?;
        }
    }
    writeln!(
        out,
        "rules tests: {} passed, {} failed{}",
        tally.passed,
        tally.failed,
        match tally.invalid {
            0 => String::new(),
            n => format!(", {n} file(s) did not compile"),
        }
    )?;
    if tally.trouble > 0 {
        Err(Error::Trouble(format!(
            "{} path(s) could not be tested",
            tally.trouble
        )))
    } else if tally.failed > 0 || tally.invalid > 0 {
        Err(Error::Reported)
    } else {
        Ok(())
    }
}

fn run_one(out: &mut impl Write, test: &std::path::Path, tally: &mut Tally) -> Result<(), Error> {
    let result = match ruletest::run_file(test) {
        Ok(result) => result,
        Err(TestError::Invalid(problems)) => {
            eprintln!("{problems}");
            tally.invalid += 1;
            return Ok(());
        }
        Err(trouble @ TestError::Unreadable { .. }) => {
            eprintln!("error: {trouble}");
            tally.trouble += 1;
            return Ok(());
        }
    };
    writeln!(
        out,
        "{} ({}): {} case{}",
        result.file.display(),
        result.rules.display(),
        result.cases.len(),
        if result.cases.len() == 1 { "" } else { "s" }
    )?;
    for case in &result.cases {
        if case.passed() {
            tally.passed += 1;
            writeln!(out, "  ok    {}", case.name)?;
            continue;
        }
        tally.failed += 1;
        writeln!(
            out,
            "  FAIL  {}:{}:{}: {}",
            result.file.display(),
            case.line,
            case.column,
            case.name
        )?;
        for problem in &case.problems {
            writeln!(out, "        {problem}")?;
        }
    }
    Ok(())
}
