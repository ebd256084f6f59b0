//! `anjian reminders --data DIR --at TIME`: the reminders the engine would send at that time
//! (a dry run over a server's data folder: nothing is sent or written), so an office sees
//! tomorrow's reminders before it turns the engine on. With `--send` it runs one round of the
//! engine at that time instead (the in-app reminders and group robots it would send then),
//! e.g. to catch up after the server ran with the engine off.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Utc};

use anjian_server::reminders::Records;

use crate::out::{outln, Failure};

#[derive(clap::Args)]
pub struct RemindersArgs {
    /// A server's data folder, read directly (DATABASE_URL for PostgreSQL).
    #[arg(long)]
    data: PathBuf,
    /// The moment to look at, e.g. 2026-12-01T08:30+08:00 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// One JSON object per reminder instead of text.
    #[arg(long)]
    json: bool,
    /// Send them: one round of the reminder engine (logged once each, as the server does).
    #[arg(long)]
    send: bool,
}

/// `2026-12-01T08:30+08:00`, with or without seconds; a time without an offset is China time.
pub fn parse_at(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Ok(t.with_timezone(&Utc));
    }
    let china = FixedOffset::east_opt(8 * 3600).expect("offset");
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            if let chrono::LocalResult::Single(t) = t.and_local_timezone(china) {
                return Ok(t.with_timezone(&Utc));
            }
        }
    }
    Err(format!("时间格式错误：{s}（例如 2026-12-01T08:30+08:00）"))
}

pub fn run(args: RemindersArgs) -> Result<(), Failure> {
    let at = match &args.at {
        Some(s) => parse_at(s)?,
        None => Utc::now(),
    };
    let db = crate::report::open_data(&args.data)?;
    if args.send {
        let public_url = std::env::var("ANJIAN_PUBLIC_URL").unwrap_or_default();
        let sms = anjian_server::reminders::sms::SmsConfig::from_env()?.map(|c| c.provider());
        let r = anjian_server::reminders::Engine::new(public_url, sms)
            .tick(&db, at)
            .map_err(|e| format!("发送提醒失败：{}", e.message))?;
        if !r.leader {
            return Err("另一服务实例正在发送提醒，请稍后再试".into());
        }
        outln!(
            "已记录提醒 {} 条，工作群和短信发送成功 {} 条、失败 {} 条",
            r.queued,
            r.sent,
            r.failed
        )?;
        return Ok(());
    }
    let (records, logged) = db
        .read(|tx| {
            let records = Records::load(tx, at)?;
            let logged = tx.list_deliveries(None, 1_000_000)?;
            Ok::<_, anjian_server::error::ApiError>((records, logged))
        })
        .map_err(|e| format!("读取数据失败：{}", e.message))?;
    let sent: std::collections::HashSet<&str> = logged
        .iter()
        .filter(|d| d.channel == "in_app")
        .map(|d| d.key.as_str())
        .collect();
    let due = records.due(at);
    let names: HashMap<&str, &str> = records
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let units: HashMap<&str, &str> = records
        .units
        .iter()
        .map(|u| (u.id.as_str(), u.name.as_str()))
        .collect();
    let china = FixedOffset::east_opt(8 * 3600).expect("offset");
    let mut new = 0;
    for r in &due {
        let already = sent.contains(r.key.as_str());
        new += usize::from(!already);
        if args.json {
            let mut v = serde_json::to_value(r).map_err(|e| e.to_string())?;
            v["already_sent"] = serde_json::Value::Bool(already);
            outln!("{v}")?;
        } else {
            outln!(
                "{}  {}（{}）  {}{}{}：{}{}",
                r.send_at.with_timezone(&china).format("%m-%d %H:%M"),
                names
                    .get(r.person_id.as_str())
                    .unwrap_or(&r.person_id.as_str()),
                units.get(r.unit_id.as_str()).unwrap_or(&r.unit_id.as_str()),
                r.title,
                if r.group { "（并发工作群）" } else { "" },
                if r.sms { "（并发短信）" } else { "" },
                r.text,
                if already { "  [已发送]" } else { "" }
            )?;
        }
    }
    if !args.json {
        outln!(
            "{} 应发提醒 {} 条，其中未发送 {} 条（演练，不发送）",
            at.with_timezone(&china).format("%Y-%m-%d %H:%M"),
            due.len(),
            new
        )?;
    }
    Ok(())
}
