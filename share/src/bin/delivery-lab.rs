//! `delivery-lab`: run a scenario natively and print its ledger or event log.
//!
//! ```text
//! delivery-lab run SCENARIO.json [--json] [--events] [--steps N]
//! delivery-lab replay RUN.json [--json] [--events]
//! delivery-lab lesson [SLUG]
//! delivery-lab explore SCENARIO.json [--messages N] [--faults K] [--exclude FAULT,...] [--json]
//! delivery-lab matrix [--json] [--custom SCENARIO.json]
//! ```
//!
//! `explore` searches every schedule of up to K failures (default 2) over N messages (default 3)
//! of the scenario's configuration and seed, and prints, per outcome, "impossible within the bound"
//! or a shortest counterexample with its link. `matrix` prints the guarantee matrix (README.md's
//! copy is its output).
//!
//! `lesson` lists the built-in lessons, or runs one and prints, as JSON, the answer the engine
//! grades its question with (the e2e tests compare the page's reveal with it).
//!
//! `replay` reads a run exported by the page (scenario, event log and its hash), runs the scenario
//! again and checks that the same event log comes out before printing the ledger.
//!
//! Bad arguments or a bad file print a message on stderr and exit with code 2. A run that the
//! lab's bound stopped before it ended (`run_state: truncated`) prints its partial ledger, says so
//! on stderr and exits with code 3: its unfinished messages have no verdict.

use std::process::ExitCode;

use delivery_lab::{Scenario, World};
use delivery_share::LinkState;

const USAGE: &str = "usage: delivery-lab run SCENARIO.json [--json] [--events] [--steps N]\n\
       delivery-lab replay RUN.json [--json] [--events]\n\
       delivery-lab lesson [SLUG]\n\
       delivery-lab explore SCENARIO.json [--messages N] [--faults K] [--exclude FAULT,...] [--json]\n\
       delivery-lab matrix [--json] [--custom SCENARIO.json]\n\
  --steps N stop after N engine steps (the page's timeline position) instead of at the end\n\
  --json    print the ledger as JSON instead of a table\n\
  --events  print the event log, one described event per line";

struct Options {
    replay: bool,
    path: String,
    /// Stop after this many engine steps.
    steps: Option<usize>,
    json: bool,
    events: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut iter = args.iter();
    let replay = match iter.next().map(String::as_str) {
        Some("run") => false,
        Some("replay") => true,
        Some("help" | "--help" | "-h") => return Err(String::new()),
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("missing command".into()),
    };
    let mut options = Options { replay, path: String::new(), steps: None, json: false, events: false };
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--steps" if !replay => {
                let n = iter.next().and_then(|n| n.parse::<usize>().ok());
                options.steps = Some(n.ok_or("--steps needs a whole number")?);
            }
            "--json" => options.json = true,
            "--events" => options.events = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
            path if options.path.is_empty() => options.path = path.to_owned(),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    if options.path.is_empty() {
        return Err(if replay { "missing the run file" } else { "missing the scenario file" }.into());
    }
    Ok(options)
}

/// What `run` and `replay` print, and whether the lab's bound cut the run short.
struct RunOutput {
    out: String,
    truncated: Option<String>,
}

fn run(options: &Options) -> Result<RunOutput, String> {
    let text = std::fs::read_to_string(&options.path).map_err(|e| format!("cannot read {}: {e}", options.path))?;
    let world = if options.replay {
        delivery_lab::run::replay(&text).map_err(|e| format!("{}: {}", options.path, run_error(&e)))?
    } else {
        let scenario = Scenario::from_json(&text).map_err(|e| format!("{}: {e}", options.path))?;
        let mut world = World::new(&scenario).map_err(|e| format!("{}: {e}", options.path))?;
        match options.steps {
            Some(steps) => {
                for _ in 0..steps {
                    if world.step().is_none() {
                        break;
                    }
                }
            }
            None => {
                world.run_to_quiescence();
            }
        }
        world
    };
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
    Ok(RunOutput { out, truncated: ledger.truncation_notice() })
}

/// A run file's error, named by its field (the scenario's own errors say "scenario field").
fn run_error(e: &delivery_lab::ScenarioError) -> String {
    if e.path.is_empty() {
        format!("run: {}", e.message)
    } else {
        format!("run field {}: {}", e.path, e.message)
    }
}

/// `explore FILE [--messages N] [--faults K] [--exclude a,b] [--json]`.
fn explore(args: &[String]) -> Result<String, String> {
    use delivery_lab::ExploreQuery;
    let mut query = ExploreQuery::default();
    let (mut path, mut json) = (None, false);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--messages" => {
                let n = iter.next().and_then(|n| n.parse::<u16>().ok());
                query.messages = n.ok_or("--messages needs a whole number")?;
            }
            "--faults" => {
                let n = iter.next().and_then(|n| n.parse::<u8>().ok());
                query.faults = n.ok_or("--faults needs a whole number")?;
            }
            "--exclude" => {
                let list = iter.next().ok_or("--exclude needs a list of failure points")?;
                for name in list.split(',') {
                    query.exclude.push(name.parse().map_err(|e: delivery_lab::sim::fault::BadFault| e.0)?);
                }
            }
            "--json" => json = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag:?}")),
            file if path.is_none() => path = Some(file.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    let path = path.ok_or("missing the scenario file")?;
    let scenario = read_scenario(&path)?;
    let report = delivery_lab::explore(&scenario, query).map_err(|e| e.to_string())?;
    // The engine gives each counterexample as a scenario; the link that replays it is made here.
    let link = |scenario: &Scenario| LinkState::for_scenario(scenario.clone()).to_fragment();
    if json {
        let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
        for (result, shown) in report.results.iter().zip(value["results"].as_array_mut().into_iter().flatten()) {
            if let (delivery_lab::Finding::Found(c), Some(finding)) = (&result.finding, shown["finding"].as_object_mut()) {
                finding.insert("link".into(), serde_json::Value::from(link(&report.scenario_with(&c.schedule))));
            }
        }
        Ok(format!("{}\n", serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?))
    } else {
        Ok(report.to_text(&|scenario| format!("#{}", link(scenario))))
    }
}

/// `matrix [--json] [--custom FILE]`.
fn matrix(args: &[String]) -> Result<String, String> {
    let (mut json, mut custom) = (false, None);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--custom" => custom = Some(read_scenario(iter.next().ok_or("--custom needs a scenario file")?)?),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let matrix = delivery_lab::matrix(custom.as_ref()).map_err(|e| e.to_string())?;
    if json {
        Ok(format!("{}\n", serde_json::to_string_pretty(&matrix).map_err(|e| e.to_string())?))
    } else {
        Ok(matrix.to_markdown())
    }
}

fn read_scenario(path: &str) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

/// `lesson`: the list of lessons, or one lesson's graded answer as JSON.
fn lesson(args: &[String]) -> Result<String, String> {
    use delivery_lab::Lesson;
    match args {
        [] => Ok(Lesson::all().iter().map(|l| format!("{}\t{}\n", l.slug, l.title)).collect()),
        [slug] => {
            let lesson = Lesson::by_slug(slug)
                .ok_or_else(|| format!("no lesson {slug:?}; the lessons are {}", Lesson::slugs().join(", ")))?;
            let world = lesson.run().map_err(|e| format!("lesson {slug}: {e}"))?;
            let question = &lesson.question;
            let correct = question.correct_choice(&world);
            let out = serde_json::json!({
                "slug": lesson.slug,
                "title": lesson.title,
                "prompt": question.prompt,
                "answer": question.answer(&world).to_string(),
                "correct_choice": correct,
                "correct_label": correct.map(|i| question.choices[i].label.as_str()),
                "explanation": question.explain(&world),
                "captions": lesson.scenario.captions.len(),
            });
            Ok(format!("{}\n", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?))
        }
        _ => Err("lesson takes at most one argument, the lesson's slug".into()),
    }
}

/// A subcommand with its own arguments: its output, or a message for stderr.
type Command = fn(&[String]) -> Result<String, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command: Option<Command> = match args.first().map(String::as_str) {
        Some("lesson") => Some(lesson),
        Some("explore") => Some(explore),
        Some("matrix") => Some(matrix),
        _ => None,
    };
    if let Some(command) = command {
        return report(command(&args[1..]));
    }
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
        Ok(RunOutput { out, truncated: Some(notice) }) => {
            print!("{out}");
            eprintln!("delivery-lab: {}: {notice}", options.path);
            ExitCode::from(3)
        }
        Ok(RunOutput { out, truncated: None }) => report(Ok(out)),
        Err(message) => report(Err(message)),
    }
}

/// Prints a command's output, or its error on stderr with exit code 2.
fn report(result: Result<String, String>) -> ExitCode {
    match result {
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
