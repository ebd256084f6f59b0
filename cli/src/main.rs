//! `anjian`: the one user-facing command. Subcommands hang off it as the system grows.

use std::process::ExitCode;

use anjian_domain::checklist;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "anjian", version, about = "安检：五查四改月述考 现场检查系统")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One line per industry of the manual: its name, then its number of items.
    Checklists {
        /// Print JSON with codes, versions and major-item counts instead.
        #[arg(long)]
        json: bool,
    },
    /// Print one industry's checklist (by code, e.g. `gas`, `fire`).
    Checklist {
        industry: String,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Checklists { json: false } => {
            for list in checklist::all() {
                println!("{} {}", list.name, list.items.len());
            }
        }
        Command::Checklists { json: true } => {
            let rows: Vec<_> = checklist::all()
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "code": c.industry.code(),
                        "name": c.name,
                        "version": c.version,
                        "items": c.items.len(),
                        "major_items": c.major_count(),
                        "major_hazard_standard": c.major_hazard_standard,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
            );
        }
        Command::Checklist { industry, json } => {
            let list = checklist::by_code(&industry).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(list).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}（版本 {}）", list.name, list.version);
                println!("重大隐患判定依据：{}", list.major_hazard_standard);
                for item in &list.items {
                    let mark = if item.major { "【重大】" } else { "" };
                    println!(
                        "{} [{}] {}{}\n    依据：{}",
                        item.id, item.section, mark, item.text, item.basis
                    );
                }
            }
        }
    }
    Ok(())
}
