//! Rules for usernames and passwords.
//!
//! Usernames are normalised before they are stored or looked up: NFKC, then lower case, so
//! `Admin`, `ＡＤＭＩＮ` and `admin` are one account. Only ASCII letters, digits, `.`, `_`, `-`
//! and Chinese characters (CJK unified ideographs) are allowed: look-alike letters from other
//! scripts (Cyrillic `а`, Greek `ο`), zero-width and other invisible characters, spaces and
//! control characters are refused, so two accounts cannot look the same.
//!
//! Passwords: 10 to 128 characters, not all whitespace, at least 4 different characters, not
//! the username (nor containing it), not on the list of common passwords. The demo password
//! `anjian-demo` meets these rules (no grandfathering).

use unicode_normalization::UnicodeNormalization;

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Hashing work is bounded by the input too.
pub const MAX_PASSWORD_BYTES: usize = 128;
pub const MIN_USERNAME_CHARS: usize = 2;
pub const MAX_USERNAME_CHARS: usize = 32;

/// Characters that render as nothing (or reorder text) and so make look-alike names.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E0FFF}')
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2A6DF}')
}

/// The one spelling of a username: NFKC, lower case, trimmed. Does not check the rules.
pub fn normalise_username(raw: &str) -> String {
    raw.trim().nfkc().collect::<String>().to_lowercase()
}

/// The normalised username, or why it cannot be one (Chinese).
pub fn check_username(raw: &str) -> Result<String, String> {
    if raw.chars().any(|c| is_invisible(c) || c.is_control()) {
        return Err("用户名不能包含不可见字符或控制字符".into());
    }
    let name = normalise_username(raw);
    let count = name.chars().count();
    if !(MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&count) {
        return Err(format!(
            "用户名须为 {MIN_USERNAME_CHARS} 到 {MAX_USERNAME_CHARS} 个字符"
        ));
    }
    if let Some(bad) = name.chars().find(|c| {
        !(c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(*c) || is_han(*c))
    }) {
        return Err(format!(
            "用户名只能使用英文字母、数字、点、下划线、连字符和汉字（不能使用“{bad}”，以免与其他账号混淆）"
        ));
    }
    if !name.chars().any(|c| c.is_ascii_alphanumeric() || is_han(c)) {
        return Err("用户名须包含字母、数字或汉字".into());
    }
    Ok(name)
}

/// Common passwords (and the shapes people use here): refused whatever the length rule says.
const COMMON: &[&str] = &[
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "0123456789",
    "0987654321",
    "9876543210",
    "1111111111",
    "0000000000",
    "1234512345",
    "1234554321",
    "1234567890a",
    "a1234567890",
    "123456789a",
    "a123456789",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "qwerty123456",
    "qwe123456789",
    "asdfghjkl",
    "asdfghjkl123",
    "zxcvbnm123",
    "zxcvbnmasd",
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "admin12345",
    "admin123456",
    "administrator",
    "root123456",
    "iloveyou123",
    "woaini1314",
    "woaini123456",
    "5201314520",
    "1314520520",
    "1314521521",
    "aa123456789",
    "abc1234567",
    "abcd123456",
    "abcdefghij",
    "abc123456789",
    "a1b2c3d4e5",
    "qq123456789",
    "qazwsxedc123",
    "welcome123",
    "letmein123",
    "monkey1234",
    "dragon1234",
    "football123",
    "baseball123",
    "sunshine123",
    "princess123",
    "trustno1234",
    "changeme123",
    "anjian123456",
    "anjian12345",
    "anjian2026",
    "anjian2025",
    "zhongxian123",
    "zhongxian2026",
    "anquan123456",
    "anquan2026",
    "aqsc123456",
    "88888888888",
    "66666666666",
    "5555555555",
    "7777777777",
    "9999999999",
    "1122334455",
    "1212121212",
    "1234567891",
    "12341234",
    "qwertyqwerty",
    "11111111",
    "00000000",
    "88888888",
    "abcdefgh",
    "iloveyou",
];

/// Whether a password meets the rules for this username; the reason (Chinese) when not.
pub fn check_password(username: &str, password: &str) -> Result<(), String> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("密码不能超过 {MAX_PASSWORD_BYTES} 字节"));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("密码至少 {MIN_PASSWORD_CHARS} 位"));
    }
    if password.trim().is_empty() {
        return Err("密码不能全是空格".into());
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err("密码过于简单：至少使用 4 个不同的字符".into());
    }
    let lower = password.to_lowercase();
    let name = normalise_username(username);
    if !name.is_empty() && (lower == name || lower.contains(&name)) {
        return Err("密码不能与用户名相同或包含用户名".into());
    }
    let folded = lower.trim();
    if COMMON.iter().any(|c| *c == folded) {
        return Err("密码过于常见，请换一个".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_one_spelling_and_look_alikes_are_refused() {
        assert_eq!(check_username("Admin").unwrap(), "admin");
        assert_eq!(check_username(" ＡＤＭＩＮ ").unwrap(), "admin");
        assert_eq!(check_username("张三").unwrap(), "张三");
        assert_eq!(check_username("sb_inspector").unwrap(), "sb_inspector");
        assert!(check_username("\u{0430}dmin").is_err(), "Cyrillic a");
        assert!(check_username("adm\u{200B}in").is_err(), "zero-width space");
        assert!(check_username("ad min").is_err());
        assert!(check_username("a").is_err());
        assert!(check_username("___").is_err());
        assert!(check_username("ο").is_err(), "Greek omicron");
    }

    #[test]
    fn weak_passwords_are_refused_and_the_demo_password_passes() {
        assert!(check_password("admin", "anjian-demo").is_ok());
        assert!(check_password("x", "        ").is_err());
        assert!(check_password("x", "            ").is_err());
        assert!(check_password("x", "12345678").is_err());
        assert!(check_password("x", "1234567890").is_err());
        assert!(check_password("zhangsan01", "zhangsan01").is_err());
        assert!(check_password("zhangsan01", "ZhangSan01!").is_err());
        assert!(check_password("x", "aaaaaaaaaaaa").is_err());
        assert!(check_password("x", "Password123").is_err());
        assert!(check_password("x", &"长".repeat(200)).is_err());
        assert!(check_password("x", "县安委办巡查2026年").is_ok());
    }
}
