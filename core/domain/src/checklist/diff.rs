//! What changed between two versions of an industry's checklist (the office reviews a
//! county version against the one before).

use super::*;

/// What changed in one item between two versions of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// `section`, `text`, `basis`, `level`, `applies_if` or `verification`.
    pub field: &'static str,
    /// 检查事项, 检查内容 (reworded), 依据, 等级 ...
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

/// One item's change between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemChange {
    Added {
        item: ChecklistItem,
    },
    Removed {
        item: ChecklistItem,
    },
    Changed {
        id: String,
        fields: Vec<FieldChange>,
    },
}

impl ItemChange {
    pub fn id(&self) -> &str {
        match self {
            ItemChange::Added { item } | ItemChange::Removed { item } => &item.id,
            ItemChange::Changed { id, .. } => id,
        }
    }

    /// One line for the office, in Chinese.
    pub fn describe(&self) -> String {
        match self {
            ItemChange::Added { item } => format!(
                "新增 {} [{}]{} {}",
                item.id,
                item.level(),
                item.applies_if
                    .as_ref()
                    .map(|c| format!("（仅适用于 {c}）"))
                    .unwrap_or_default(),
                item.text
            ),
            ItemChange::Removed { item } => format!("删除 {} {}", item.id, item.text),
            ItemChange::Changed { id, fields } => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}：“{}”→“{}”", f.label, f.old, f.new))
                    .collect();
                format!("修改 {id} {}", parts.join("；"))
            }
        }
    }
}

/// The difference between two versions of an industry's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistDiff {
    pub industry: Industry,
    pub from_version: String,
    pub to_version: String,
    /// Name or major-hazard standard changed: (field, old, new).
    pub header: Vec<FieldChange>,
    /// In the new version's order; removed items after, in the old version's order.
    pub items: Vec<ItemChange>,
}

impl ChecklistDiff {
    pub fn is_empty(&self) -> bool {
        self.header.is_empty() && self.items.is_empty()
    }

    pub fn count(&self, kind: &str) -> usize {
        self.items
            .iter()
            .filter(|c| match c {
                ItemChange::Added { .. } => kind == "added",
                ItemChange::Removed { .. } => kind == "removed",
                ItemChange::Changed { .. } => kind == "changed",
            })
            .count()
    }
}

/// What changed from `old` to `new` (two versions of one industry's file): items added,
/// removed, and changed field by field (reworded, level, basis, section, condition,
/// verification). Items are matched by id.
pub fn diff(old: &Checklist, new: &Checklist) -> Result<ChecklistDiff, DomainError> {
    if old.industry != new.industry {
        return Err(DomainError::InvalidValue {
            field: "检查表",
            reason: format!("{} 与 {} 不是同一行业，无法比较", old.name, new.name),
        });
    }
    let change = |field, label, a: &str, b: &str| {
        (a != b).then(|| FieldChange {
            field,
            label,
            old: a.to_string(),
            new: b.to_string(),
        })
    };
    let header: Vec<FieldChange> = [
        change("name", "名称", &old.name, &new.name),
        change(
            "major_hazard_standard",
            "重大隐患判定标准",
            &old.major_hazard_standard,
            &new.major_hazard_standard,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut items = Vec::new();
    for item in &new.items {
        let Some(before) = old.items.iter().find(|o| o.id == item.id) else {
            items.push(ItemChange::Added { item: item.clone() });
            continue;
        };
        let condition =
            |i: &ChecklistItem| i.applies_if.clone().unwrap_or_else(|| "全部场所".into());
        let fields: Vec<FieldChange> = [
            change("section", "检查事项", &before.section, &item.section),
            change("text", "检查内容", &before.text, &item.text),
            change("level", "等级", before.level(), item.level()),
            change("basis", "依据", &before.basis, &item.basis),
            change(
                "applies_if",
                "适用条件",
                &condition(before),
                &condition(item),
            ),
            change(
                "verification",
                "核对",
                &before.verification_label(),
                &item.verification_label(),
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !fields.is_empty() {
            items.push(ItemChange::Changed {
                id: item.id.clone(),
                fields,
            });
        }
    }
    for item in &old.items {
        if !new.items.iter().any(|n| n.id == item.id) {
            items.push(ItemChange::Removed { item: item.clone() });
        }
    }
    Ok(ChecklistDiff {
        industry: new.industry,
        from_version: old.version.clone(),
        to_version: new.version.clone(),
        header,
        items,
    })
}
