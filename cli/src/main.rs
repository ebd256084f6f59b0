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
    /// Run the server: embedded SQLite in the data folder, or PostgreSQL with DATABASE_URL.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Data folder: the SQLite database and the evidence files.
        #[arg(long, default_value = "data")]
        data: std::path::PathBuf,
        /// Seed the demo county (Zhong County) when the store is empty.
        #[arg(long)]
        demo: bool,
        /// Lifetime of a login token, in minutes.
        #[arg(long, default_value_t = 240)]
        token_ttl_minutes: i64,
        /// Log as JSON lines (for log collectors) instead of text.
        #[arg(long)]
        log_json: bool,
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

fn serve(
    listen: std::net::SocketAddr,
    data: std::path::PathBuf,
    demo: bool,
    ttl: i64,
    log_json: bool,
) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,tower_http=info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if log_json {
        builder.json().init();
    } else {
        builder.init();
    }
    if ttl <= 0 {
        return Err("登录有效期须为正数（分钟）".into());
    }
    let mut config = anjian_server::Config::new(listen, data);
    config.demo = demo;
    config.token_ttl = chrono::Duration::minutes(ttl);
    config.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime
        .block_on(anjian_server::serve(config))
        .map_err(|e| format!("服务器启动失败：{e}"))
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve {
            listen,
            data,
            demo,
            token_ttl_minutes,
            log_json,
        } => serve(listen, data, demo, token_ttl_minutes, log_json)?,
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
