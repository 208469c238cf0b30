//! `delivery-lab`: run a scenario natively and print its ledger or event log.
//!
//! ```text
//! delivery-lab run SCENARIO.json [--json] [--events]
//! ```
//!
//! Bad arguments or a bad file print a message on stderr and exit with code 2.

use std::process::ExitCode;

use delivery_lab::{Scenario, World};

const USAGE: &str = "usage: delivery-lab run SCENARIO.json [--json] [--events]\n\
  --json    print the ledger as JSON instead of a table\n\
  --events  print the event log, one described event per line";

struct Options {
    path: String,
    json: bool,
    events: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut iter = args.iter();
    match iter.next().map(String::as_str) {
        Some("run") => {}
        Some("help" | "--help" | "-h") => return Err(String::new()),
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("missing command".into()),
    }
    let mut options = Options { path: String::new(), json: false, events: false };
    for arg in iter {
        match arg.as_str() {
            "--json" => options.json = true,
            "--events" => options.events = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
            path if options.path.is_empty() => options.path = path.to_owned(),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    if options.path.is_empty() {
        return Err("missing the scenario file".into());
    }
    Ok(options)
}

fn run(options: &Options) -> Result<String, String> {
    let text = std::fs::read_to_string(&options.path).map_err(|e| format!("cannot read {}: {e}", options.path))?;
    let scenario = Scenario::from_json(&text).map_err(|e| format!("{}: {e}", options.path))?;
    let mut world = World::new(&scenario).map_err(|e| format!("{}: {e}", options.path))?;
    world.run_to_quiescence();
    let mut out = String::new();
    if options.events {
        for event in world.events() {
            out.push_str(&event.describe());
            out.push('\n');
        }
    }
    let ledger = world.ledger();
    if options.json {
        out.push_str(&serde_json::to_string_pretty(&ledger).map_err(|e| e.to_string())?);
        out.push('\n');
    } else {
        out.push_str(&ledger.to_table());
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("delivery-lab: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("delivery-lab: {message}");
            ExitCode::from(2)
        }
    }
}
