//! `anjian`: the one user-facing command. Subcommands hang off it as the system grows.

mod field;
mod out;
mod reminders;
mod report;

use std::process::ExitCode;

use anjian_domain::checklist;
use clap::{Parser, Subcommand};
use out::{outln, Failure};

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
        /// For reviewers: per industry, the items not yet checked against the official text,
        /// grouped by the reason given.
        #[arg(long)]
        unverified: bool,
    },
    /// Run the server: embedded SQLite in the data folder, or PostgreSQL with DATABASE_URL.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Data folder: the SQLite database and the evidence files.
        #[arg(long, default_value = "data")]
        data: std::path::PathBuf,
        /// Seed the demo county (Zhong County) when the store is empty, with last month's and
        /// this month's activity (inspections, hazards, meetings, reports).
        #[arg(long)]
        demo: bool,
        /// With --demo: seed only the organisation, sites and accounts, no activity.
        #[arg(long, requires = "demo")]
        demo_without_activity: bool,
        /// Lifetime of a login token, in minutes.
        #[arg(long, default_value_t = 240)]
        token_ttl_minutes: i64,
        /// Log as JSON lines (for log collectors) instead of text.
        #[arg(long)]
        log_json: bool,
        /// Serve `/metrics` (without a token) on this separate address, e.g. 127.0.0.1:9090.
        /// On the main address `/metrics` needs `Authorization: Bearer $ANJIAN_METRICS_TOKEN`
        /// and is not served when that variable is unset.
        /// Behind a reverse proxy, set `ANJIAN_TRUSTED_PROXIES` (e.g. `127.0.0.1/32`): from
        /// those addresses `X-Forwarded-For` names the client (login throttling, audit log);
        /// from anyone else it is ignored.
        #[arg(long)]
        metrics_listen: Option<std::net::SocketAddr>,
        /// Bytes each person may upload in a day (China time), in MiB: declared sizes of the
        /// evidence files they start; past it the server answers 429 until midnight.
        #[arg(long, default_value_t = 4096)]
        upload_mb_per_day: i64,
    },
    /// Back up a county's server (the embedded SQLite database and the evidence folder) into a
    /// new folder, while the server keeps running.
    Backup {
        /// The server's data folder.
        #[arg(long, default_value = "data")]
        data: std::path::PathBuf,
        /// The backup folder (new or empty).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup into a new, empty data folder; then start a server on it. Phones pull
    /// again from the start on their next sync and keep their own work.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: std::path::PathBuf,
        /// The new data folder.
        #[arg(long, default_value = "data")]
        data: std::path::PathBuf,
    },
    /// Evidence photos: inspect one, or make its upload copy and thumbnail.
    Photo {
        #[command(subcommand)]
        command: PhotoCommand,
    },
    /// Drive the phone's core from a shell, on a device folder.
    Field {
        /// The device folder (its database and evidence files).
        #[arg(long, default_value = "device")]
        device: std::path::PathBuf,
        #[command(subcommand)]
        command: field::FieldCommand,
    },
    /// Write a ledger (.xlsx) or notice (.docx) of 月述考, from a server or a data folder.
    Report(report::ReportArgs),
    /// The reminders the engine would send at a time (dry run over a data folder).
    Reminders(reminders::RemindersArgs),
    /// Print one industry's checklist (by code, e.g. `gas`, `fire`).
    Checklist {
        industry: String,
        #[arg(long)]
        json: bool,
    },
    /// What changed between two versions of a checklist file (item added / removed / reworded /
    /// level changed ...). Each side is a TOML file, an industry code (its current compiled
    /// version) or `code@version` (a compiled-in earlier version, e.g. `gas@2026.1`).
    ChecklistDiff {
        old: String,
        new: String,
        #[arg(long)]
        json: bool,
    },
}

/// A checklist named on the command line: a TOML file, else an industry code.
fn checklist_arg(arg: &str) -> Result<checklist::Checklist, String> {
    let path = std::path::Path::new(arg);
    if path.extension().is_some_and(|e| e == "toml") || path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("无法读取 {arg}：{e}"))?;
        return checklist::read_for_diff(&text).map_err(|e| format!("{arg}：{e}"));
    }
    if let Some((code, version)) = arg.split_once('@') {
        return checklist::compiled_version(code, version)
            .ok_or_else(|| format!("没有检查表版本 {arg}（行业代码@版本号，如 gas@2026.1）"));
    }
    checklist::compiled_by_code(arg)
        .map(|c| c.clone())
        .map_err(|e| e.to_string())
}

#[derive(Subcommand)]
enum PhotoCommand {
    /// Print what a photo says about itself (hash, size, orientation, time, GPS, flags).
    Inspect {
        file: std::path::PathBuf,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the upload copy (long side 2048, watermarked) and the thumbnail (long side 320).
    Ingest {
        file: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
        /// CJK font for the watermark (e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc).
        #[arg(long)]
        font: Option<std::path::PathBuf>,
        /// Face index inside a font collection (.ttc).
        #[arg(long, default_value_t = 2)]
        font_index: u32,
        /// Site name for the watermark.
        #[arg(long)]
        site: Option<String>,
        /// Inspector name for the watermark.
        #[arg(long)]
        inspector: Option<String>,
        /// Hazard number for the watermark.
        #[arg(long)]
        hazard: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn print_report(report: &anjian_evidence::photo::PhotoReport, json: bool) -> Result<(), Failure> {
    if json {
        outln!(
            "{}",
            serde_json::to_string(report).map_err(|e| e.to_string())?
        )?;
        return Ok(());
    }
    outln!("SHA-256  {}", report.sha256)?;
    outln!(
        "尺寸     {}×{}（方向 {}）",
        report.width,
        report.height,
        report.orientation
    )?;
    outln!("拍摄时间 {}", report.taken_at.as_deref().unwrap_or("无"))?;
    match (report.lat, report.lon) {
        (Some(lat), Some(lon)) => outln!(
            "位置     {lat:.6}, {lon:.6}{}",
            report
                .accuracy_m
                .map(|a| format!("（精度 {a:.0} 米）"))
                .unwrap_or_default()
        )?,
        _ => outln!("位置     无")?,
    }
    outln!(
        "设备     {} {}",
        report.make.as_deref().unwrap_or("-"),
        report.model.as_deref().unwrap_or("-")
    )?;
    for note in &report.notes {
        outln!("提示     {note}")?;
    }
    Ok(())
}

/// The watermark lines: time, place, inspector, hazard number.
fn watermark_lines(
    report: &anjian_evidence::photo::PhotoReport,
    site: Option<String>,
    inspector: Option<String>,
    hazard: Option<String>,
) -> Vec<String> {
    let time = report
        .taken_at
        .clone()
        .unwrap_or_else(|| "无拍摄时间".into())
        .replace('T', " ");
    let place = match (report.lat, report.lon) {
        (Some(lat), Some(lon)) => format!("{lat:.6}°, {lon:.6}°"),
        _ => "无定位".into(),
    };
    let mut lines = vec![format!(
        "时间：{}",
        time.chars().take(19).collect::<String>()
    )];
    lines.push(match site {
        Some(s) => format!("地点：{s}（{place}）"),
        None => format!("地点：{place}"),
    });
    if let Some(i) = inspector {
        lines.push(format!("检查人员：{i}"));
    }
    if let Some(h) = hazard {
        lines.push(format!("隐患编号：{h}"));
    }
    lines
}

fn photo(command: PhotoCommand) -> Result<(), Failure> {
    use anjian_evidence::photo;
    match command {
        PhotoCommand::Inspect { file, json } => {
            let report = photo::inspect_file(&file).map_err(|e| e.to_string())?;
            print_report(&report, json)
        }
        PhotoCommand::Ingest {
            file,
            out,
            font,
            font_index,
            site,
            inspector,
            hazard,
            json,
        } => {
            let bytes = anjian_evidence::read_limited(&file, photo::MAX_FILE_BYTES)
                .map_err(|e| e.to_string())?;
            let report = photo::inspect_bytes(&bytes).map_err(|e| e.to_string())?;
            let mut opts = photo::DeriveOptions::default();
            if let Some(path) = font {
                let font = anjian_evidence::watermark::WatermarkFont::load(&path, font_index)
                    .map_err(|e| e.to_string())?;
                opts.watermark = Some(anjian_evidence::watermark::Watermark::new(
                    font,
                    watermark_lines(&report, site, inspector, hazard),
                ));
            }
            let (report, files) =
                photo::ingest_bytes(&bytes, report, &out, &opts).map_err(|e| e.to_string())?;
            if json {
                outln!("{}", serde_json::json!({ "photo": report, "files": files }))?;
            } else {
                print_report(&report, false)?;
                outln!("上传副本 {}", files.upload.display())?;
                outln!("缩略图   {}", files.thumbnail.display())?;
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Field { device, command } => field::run(&device, command),
        command => run(command).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        // The reader stopped reading (`| head`): it has what it wanted.
        Err(Failure::StdoutClosed) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(
    listen: std::net::SocketAddr,
    data: std::path::PathBuf,
    demo: Option<bool>,
    ttl: i64,
    log_json: bool,
    metrics_listen: Option<std::net::SocketAddr>,
    upload_mb_per_day: i64,
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
    if upload_mb_per_day <= 0 {
        return Err("每人每天上传上限须为正数（MB）".into());
    }
    let mut config = anjian_server::Config::new(listen, data);
    // Some(with_activity) when the demo county is asked for.
    config.demo = demo.is_some();
    config.demo_activity = demo == Some(true);
    config.token_ttl = chrono::Duration::minutes(ttl);
    config.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    config.blobs = anjian_server::blobstore::BlobConfig::from_env();
    config.metrics_token = std::env::var("ANJIAN_METRICS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    config.metrics_listen = metrics_listen;
    config.upload_quota.max_daily_bytes = upload_mb_per_day.saturating_mul(1024 * 1024);
    // The reminder engine sends only when turned on (`anjian reminders` previews it).
    config.reminders = std::env::var("ANJIAN_REMINDERS").is_ok_and(|v| v == "on");
    config.public_url = std::env::var("ANJIAN_PUBLIC_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    config.oidc = anjian_server::oidc::OidcConfig::from_env(config.public_url.as_deref())?;
    config.webhook_hosts = std::env::var("ANJIAN_WEBHOOK_HOSTS")
        .map(|v| anjian_server::reminders::channels::host_list(&v))
        .unwrap_or_default();
    config.sms = anjian_server::reminders::sms::SmsConfig::from_env()?;
    if let Ok(list) = std::env::var("ANJIAN_TRUSTED_PROXIES") {
        config.conn_limits.trusted_proxies = anjian_server::proxies::TrustedProxies::parse(&list)?;
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime
        .block_on(anjian_server::serve(config))
        .map_err(|e| format!("服务器启动失败：{e}"))
}

/// `anjian backup`/`restore` copy the embedded database and the evidence folder; a server on
/// PostgreSQL and object storage is backed up with their own tools.
fn shared_storage_note() -> Result<(), String> {
    let pg = std::env::var("DATABASE_URL").is_ok_and(|u| !u.is_empty());
    let s3 = std::env::var("ANJIAN_BLOBS").is_ok_and(|u| u.starts_with("s3://"));
    if pg || s3 {
        return Err("此服务器使用 PostgreSQL 或对象存储：请用 pg_dump（或持续归档）备份数据库，并为存储桶开启版本控制，见 docs/scale.md。anjian backup 只备份内置 SQLite 数据库和证据目录。".into());
    }
    Ok(())
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve {
            listen,
            data,
            demo,
            demo_without_activity,
            token_ttl_minutes,
            log_json,
            metrics_listen,
            upload_mb_per_day,
        } => {
            let demo = demo.then_some(!demo_without_activity);
            serve(
                listen,
                data,
                demo,
                token_ttl_minutes,
                log_json,
                metrics_listen,
                upload_mb_per_day,
            )?
        }
        Command::Backup { data, to } => {
            shared_storage_note()?;
            let m = anjian_server::backup::backup(&data, &to)?;
            outln!(
                "已备份到 {}：数据库一份，证据文件 {} 个（{} 字节）",
                to.display(),
                m.files,
                m.bytes
            )?;
        }
        Command::Restore { from, data } => {
            shared_storage_note()?;
            let m = anjian_server::backup::restore(&from, &data)?;
            outln!(
                "已将 {} 的备份（{}）恢复到 {}：证据文件 {} 个。启动服务器后，手机下次同步会从头重新同步，本机未上传的记录会保留。",
                from.display(),
                m.created_at.format("%Y-%m-%d %H:%M UTC"),
                data.display(),
                m.files
            )?;
        }
        Command::Photo { command } => photo(command)?,
        Command::Field { .. } => unreachable!("handled in main"),
        Command::Reminders(args) => reminders::run(args)?,
        Command::Report(args) => {
            let out = report::run(args)?;
            outln!("{}", out.display())?;
        }
        Command::Checklists {
            unverified: true,
            json,
        } => print_unverified(json)?,
        Command::Checklists { json: false, .. } => {
            for list in checklist::compiled() {
                outln!("{} {}", list.name, list.items.len())?;
            }
        }
        Command::Checklists { json: true, .. } => {
            let rows: Vec<_> = checklist::compiled()
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "code": c.industry.code(),
                        "name": c.name,
                        "version": c.version,
                        "released_versions": checklist::released_for(c.industry)
                            .map(|r| r.version.clone())
                            .collect::<Vec<_>>(),
                        "content_hash": checklist::content_hash(c),
                        "items": c.items.len(),
                        "major_items": c.major_count(),
                        "verified_items": c.verified_count(),
                        "major_hazard_standard": c.major_hazard_standard,
                    })
                })
                .collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
            )?;
        }
        Command::Checklist { industry, json } => {
            let list = checklist::compiled_by_code(&industry).map_err(|e| e.to_string())?;
            if json {
                let items: Vec<_> = list
                    .items
                    .iter()
                    .map(|i| {
                        serde_json::json!({
                            "id": i.id,
                            "section": i.section,
                            "text": i.text,
                            "basis": i.basis,
                            "level": i.level(),
                            "major": i.major,
                            "applies_if": i.applies_if,
                            "verification": match (&i.verified, &i.unverified) {
                                (Some(v), _) => serde_json::json!({
                                    "status": "verified", "source": v.source, "date": v.date
                                }),
                                (None, reason) => serde_json::json!({
                                    "status": "unverified", "reason": reason
                                }),
                            },
                        })
                    })
                    .collect();
                let doc = serde_json::json!({
                    "code": list.industry.code(),
                    "name": list.name,
                    "version": list.version,
                    "major_hazard_standard": list.major_hazard_standard,
                    "conditions": list.conditions,
                    "items": items,
                });
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
                )?;
            } else {
                outln!("{}（版本 {}）", list.name, list.version)?;
                outln!("重大隐患判定依据：{}", list.major_hazard_standard)?;
                outln!(
                    "检查项 {} 项，其中重大 {} 项，已对照官方文本核对 {} 项",
                    list.items.len(),
                    list.major_count(),
                    list.verified_count()
                )?;
                for c in &list.conditions {
                    outln!("场所属性 {}：{}", c.code, c.label)?;
                }
                for item in &list.items {
                    let mark = if item.major { "【重大】" } else { "" };
                    let when = item
                        .applies_if
                        .as_deref()
                        .and_then(|c| list.condition(c))
                        .map(|c| format!("（仅适用于：{}）", c.label))
                        .unwrap_or_default();
                    outln!(
                        "{} [{}] {}{}{}\n    依据：{}\n    {}",
                        item.id,
                        item.section,
                        mark,
                        item.text,
                        when,
                        item.basis,
                        item.verification_label()
                    )?;
                }
            }
        }
        Command::ChecklistDiff { old, new, json } => {
            let old = checklist_arg(&old)?;
            let new = checklist_arg(&new)?;
            let d = checklist::diff(&old, &new).map_err(|e| e.to_string())?;
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?
                )?;
            } else {
                outln!(
                    "{}：版本 {} → {}（新增 {}，删除 {}，修改 {}）",
                    new.name,
                    d.from_version,
                    d.to_version,
                    d.count("added"),
                    d.count("removed"),
                    d.count("changed")
                )?;
                for h in &d.header {
                    outln!("{}：“{}”→“{}”", h.label, h.old, h.new)?;
                }
                for change in &d.items {
                    outln!("{}", change.describe())?;
                }
            }
        }
    }
    Ok(())
}

/// `anjian checklists --unverified`: what a county's safety engineers still have to check,
/// per industry file, grouped by the reason each item gives.
fn print_unverified(json: bool) -> Result<(), Failure> {
    let mut files = Vec::new();
    for list in checklist::compiled() {
        let mut reasons: Vec<(String, Vec<String>)> = Vec::new();
        for item in list.items.iter().filter(|i| i.verified.is_none()) {
            let reason = item.unverified.clone().unwrap_or_else(|| "未注明".into());
            match reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, ids)) => ids.push(item.id.clone()),
                None => reasons.push((reason, vec![item.id.clone()])),
            }
        }
        files.push((list, reasons));
    }
    if json {
        let rows: Vec<_> = files
            .iter()
            .map(|(list, reasons)| {
                serde_json::json!({
                    "code": list.industry.code(),
                    "name": list.name,
                    "file": format!("core/domain/checklists/{}.toml", list.industry.code()),
                    "items": list.items.len(),
                    "unverified_items": list.items.len() - list.verified_count(),
                    "reasons": reasons
                        .iter()
                        .map(|(r, ids)| serde_json::json!({ "reason": r, "items": ids }))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
        )?;
        return Ok(());
    }
    let total: usize = files.iter().map(|(l, _)| l.items.len()).sum();
    let open: usize = files
        .iter()
        .map(|(l, _)| l.items.len() - l.verified_count())
        .sum();
    outln!("未对照官方文本核对的检查项：{open} / {total}")?;
    for (list, reasons) in files.iter().filter(|(_, r)| !r.is_empty()) {
        outln!(
            "\n{}（core/domain/checklists/{}.toml）未核对 {} / {} 项",
            list.name,
            list.industry.code(),
            list.items.len() - list.verified_count(),
            list.items.len()
        )?;
        for (reason, ids) in reasons {
            outln!("  {}：{}", ids.join("、"), reason)?;
        }
    }
    Ok(())
}
