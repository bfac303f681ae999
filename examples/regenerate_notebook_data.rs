//! Rewrites (or prints) the data files generated from `ponder::simulate`; tests check the
//! committed copies are byte-identical to what the generators give.
//!
//! ```text
//! cargo run --example regenerate_notebook_data -- frame        # notebooks-data/frame.csv
//! cargo run --example regenerate_notebook_data -- census       # notebooks-data/census_margins.csv
//! cargo run --example regenerate_notebook_data -- census-yaml  # prints fej2024.yaml's numbers
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use ponder::simulate::notebook;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn run(what: &str) -> Result<(), String> {
    match what {
        "frame" => {
            let bytes = notebook::frame_csv().map_err(|e| e.to_string())?;
            std::fs::write(repo("notebooks-data/frame.csv"), bytes).map_err(|e| e.to_string())
        }
        "census" => {
            let bytes = notebook::census_margins_csv().map_err(|e| e.to_string())?;
            std::fs::write(repo("notebooks-data/census_margins.csv"), bytes)
                .map_err(|e| e.to_string())
        }
        "census-yaml" => {
            println!("{}", notebook::census_margins_yaml().map_err(|e| e.to_string())?);
            Ok(())
        }
        other => Err(format!("unknown `{other}`: use frame, census or census-yaml")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: regenerate_notebook_data <frame|census|census-yaml>...");
        return ExitCode::from(2);
    }
    for a in &args {
        if let Err(e) = run(a) {
            eprintln!("regenerate_notebook_data {a}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
