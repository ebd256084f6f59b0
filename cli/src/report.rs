//! `anjian report FILE`: the office's ledgers and notices, from a running server (as a signed-in
//! user, scoped like the web) or straight from a server's data folder (the whole county).

use std::path::{Path, PathBuf};

use anjian_domain::hazard::china_date;
use anjian_domain::month::YearMonth;
use anjian_server::monthly::{County, ExportFile, ExportParams};

#[derive(clap::Args)]
pub struct ReportArgs {
    /// problem-ledger.xlsx, major-hazards.xlsx, hardware-investment.xlsx, duty-records.xlsx,
    /// monthly-scores.xlsx, annual-assessment.xlsx, assessment-notice.docx, patrol-notice.docx
    file: String,
    /// Month, e.g. 2026-11 (default: this month).
    #[arg(long)]
    month: Option<String>,
    /// Year of the annual assessment.
    #[arg(long)]
    year: Option<i32>,
    /// Limit a ledger to one unit (id, e.g. 500233107).
    #[arg(long)]
    unit: Option<String>,
    /// 发文字号 of a notice.
    #[arg(long)]
    number: Option<String>,
    /// Where to write the file (default: its name, in the current folder).
    #[arg(long)]
    out: Option<PathBuf>,
    /// A server's data folder, read directly (DATABASE_URL for PostgreSQL).
    #[arg(long, conflicts_with = "server")]
    data: Option<PathBuf>,
    /// A running server, e.g. http://127.0.0.1:8080.
    #[arg(long, requires = "user")]
    server: Option<String>,
    /// Username on the server; the password comes from ANJIAN_PASSWORD.
    #[arg(long)]
    user: Option<String>,
}

pub fn run(args: ReportArgs) -> Result<PathBuf, String> {
    let kind = ExportFile::from_name(&args.file).ok_or_else(|| {
        let names: Vec<&str> = ExportFile::ALL.iter().map(|f| f.file_name()).collect();
        format!("没有这种文件：{}（可选：{}）", args.file, names.join("、"))
    })?;
    let month = args
        .month
        .as_deref()
        .map(str::parse::<YearMonth>)
        .transpose()
        .map_err(|e| e.to_string())?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(kind.file_name()));
    let bytes = match (&args.data, &args.server) {
        (Some(data), None) => from_data(data, kind, month, &args)?,
        (None, Some(server)) => from_server(server, &args)?,
        _ => return Err("请用 --data 指定数据目录，或用 --server 和 --user 指定服务器".into()),
    };
    write_atomically(&out, &bytes)?;
    Ok(out)
}

fn from_data(
    data: &Path,
    kind: ExportFile,
    month: Option<YearMonth>,
    args: &ReportArgs,
) -> Result<Vec<u8>, String> {
    let db = open_data(data)?;
    let county = db
        .read(County::load)
        .map_err(|e| format!("读取数据失败：{}", e.message))?;
    let params = ExportParams {
        month,
        year: args.year,
        unit: args.unit.clone(),
        number: args.number.clone(),
    };
    county
        .export(kind, &params, china_date(chrono::Utc::now()))
        .map_err(|e| e.message)
}

/// A server's database: the data folder's SQLite file, or PostgreSQL with DATABASE_URL.
pub fn open_data(data: &Path) -> Result<anjian_server::storage::Db, String> {
    let mut config =
        anjian_server::Config::new("127.0.0.1:0".parse().expect("addr"), data.to_path_buf());
    config.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    if config.database_url.is_none() && !data.join("anjian-server.db").exists() {
        return Err(format!(
            "{} 中没有服务器数据库（anjian-server.db）",
            data.display()
        ));
    }
    anjian_server::open_db(&config).map_err(|e| format!("打开数据库失败：{e}"))
}

fn from_server(server: &str, args: &ReportArgs) -> Result<Vec<u8>, String> {
    let user = args.user.as_deref().unwrap_or_default();
    let password = std::env::var("ANJIAN_PASSWORD")
        .map_err(|_| "请在环境变量 ANJIAN_PASSWORD 中提供密码".to_string())?;
    let server = server.trim_end_matches('/');
    let client = reqwest::blocking::Client::new();
    let resp = client
        .post(format!("{server}/v1/auth/login"))
        .json(&serde_json::json!({ "username": user, "password": password }))
        .send()
        .map_err(|e| format!("无法连接服务器：{e}"))?;
    let status = resp.status();
    let login: serde_json::Value = resp.json().unwrap_or_default();
    if !status.is_success() {
        let message = login["error"]["message"].as_str().unwrap_or("").to_string();
        return Err(format!("登录失败（{status}）：{message}"));
    }
    let token = login["token"]
        .as_str()
        .ok_or("登录失败：服务器未返回令牌")?;
    let mut query: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("month", &args.month),
        ("unit", &args.unit),
        ("number", &args.number),
    ] {
        if let Some(v) = v {
            query.push((k, v.clone()));
        }
    }
    if let Some(y) = args.year {
        query.push(("year", y.to_string()));
    }
    let resp = client
        .get(format!("{server}/v1/exports/{}", args.file))
        .bearer_auth(token)
        .query(&query)
        .send()
        .map_err(|e| format!("下载失败：{e}"))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body: serde_json::Value = resp.json().unwrap_or_default();
        let message = body["error"]["message"].as_str().unwrap_or("").to_string();
        return Err(format!("下载失败（{status}）：{message}"));
    }
    Ok(resp.bytes().map_err(|e| format!("下载失败：{e}"))?.to_vec())
}

fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = out.with_extension("part");
    std::fs::write(&tmp, bytes).map_err(|e| format!("写入 {} 失败：{e}", tmp.display()))?;
    std::fs::rename(&tmp, out).map_err(|e| format!("写入 {} 失败：{e}", out.display()))
}
