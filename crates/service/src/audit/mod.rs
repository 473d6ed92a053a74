//! 审计日志 (audit): appending finished entries, recording bulk exports and listing the latest.
//! The edge builds an entry (it knows the client address); a sensitive read whose entry cannot
//! be written fails.
use wuyu_domain::{AdminToken, SchoolId, User, UserId};
use wuyu_store::{AuditEntry, AuditFilter, AuditRow};

use crate::{Service, ServiceError};

pub async fn append(svc: &Service, entry: &AuditEntry) -> Result<(), ServiceError> {
    Ok(svc.store().append_audit(entry).await?)
}

/// The latest `limit` entries, newest first: the whole district's log, so admins only.
pub async fn list(
    svc: &Service,
    _admin: AdminToken,
    limit: i64,
) -> Result<Vec<AuditRow>, ServiceError> {
    Ok(svc.store().list_audit(limit).await?)
}

/// The latest `limit` entries that pass `filter`, newest first (admins only, as [`list`]).
pub async fn search(
    svc: &Service,
    _admin: AdminToken,
    filter: &AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>, ServiceError> {
    Ok(svc.store().search_audit(filter, limit).await?)
}

/// An audit search as the page's form sends it: each field as typed, empty for any. Who read
/// one child's record is the question a district asks of this log: `entity` takes the object
/// (`student:3:1234`, or `student:3` for a school's students), the dates are Beijing days.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub user: String,
    pub action: String,
    pub entity: String,
    /// The school's number, as the log shows it.
    pub school: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD`.
    pub to: String,
    /// The next page: entries older than this id.
    pub before: Option<i64>,
}

impl AuditQuery {
    /// The store's filter; a school or day that is not one is refused in Chinese.
    pub fn filter(&self) -> Result<AuditFilter, ServiceError> {
        let given = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        let school = match given(&self.school) {
            None => None,
            Some(s) => Some(SchoolId(s.parse().map_err(|_| {
                ServiceError::BadRequest(format!("学校编号“{s}”应为数字"))
            })?)),
        };
        let day = |s: &str, label: &str| -> Result<Option<i64>, ServiceError> {
            given(s)
                .map(|d| {
                    beijing_midnight(&d).ok_or_else(|| {
                        ServiceError::BadRequest(format!(
                            "{label}“{d}”不是日期：请写成 2025-09-01 的样子"
                        ))
                    })
                })
                .transpose()
        };
        let since = day(&self.from, "开始日期")?;
        // The last day is included: entries before the next day's midnight.
        let until = day(&self.to, "结束日期")?.map(|t| t + 86_400);
        Ok(AuditFilter {
            username: given(&self.user),
            action: given(&self.action),
            entity: given(&self.entity),
            school_id: school,
            since,
            until,
            before_id: self.before,
        })
    }
}

/// Midnight of a `YYYY-MM-DD` day in Beijing time, as Unix seconds.
fn beijing_midnight(day: &str) -> Option<i64> {
    let mut parts = day.splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let d: u8 = parts.next()?.parse().ok()?;
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    let offset = time::UtcOffset::from_hms(8, 0, 0).ok()?;
    Some(date.midnight().assume_offset(offset).unix_timestamp())
}

/// Who asks for an export, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub user_id: Option<UserId>,
    pub username: String,
    /// The client address; `cli` for the operator at the command line.
    pub ip: String,
}

impl Requester {
    /// A signed-in account from `ip`.
    pub fn user(user: &User, ip: &str) -> Self {
        Self {
            user_id: Some(user.id),
            username: user.username.clone(),
            ip: ip.to_string(),
        }
    }

    /// The operator at the command line, by the name they give (or their OS user).
    pub fn operator(name: &str) -> Self {
        Self {
            user_id: None,
            username: name.to_string(),
            ip: "cli".into(),
        }
    }
}

/// One bulk export of student data: what (`action`), the scope it covers (`school`, `entity`)
/// and how many rows it hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkExport {
    pub action: &'static str,
    pub school: Option<SchoolId>,
    pub entity: String,
    /// Anything else that names the data (a term, an exam), before the row count.
    pub detail: String,
    pub rows: usize,
}

/// The detail text of an export's entry: `… rows=N`, so the audit page (and a reviewer's
/// query) reads how much was handed out.
pub fn export_detail(detail: &str, rows: usize) -> String {
    if detail.is_empty() {
        format!("rows={rows}")
    } else {
        format!("{detail} rows={rows}")
    }
}

/// Writes the entry of `export` by `who`. Callers hand the file out only after this succeeds:
/// an export that cannot be audited is not made.
pub async fn record_export(
    svc: &Service,
    who: &Requester,
    export: &BulkExport,
) -> Result<(), ServiceError> {
    let entry = AuditEntry {
        at: now_unix(),
        user_id: who.user_id,
        username: who.username.clone(),
        action: export.action.to_string(),
        school_id: export.school,
        entity: export.entity.clone(),
        detail: export_detail(&export.detail, export.rows),
        ip: who.ip.clone(),
    };
    append(svc, &entry).await
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_count_ends_the_detail() {
        assert_eq!(export_detail("", 3), "rows=3");
        assert_eq!(
            export_detail("term=2025-autumn", 30),
            "term=2025-autumn rows=30"
        );
    }

    #[test]
    fn a_search_form_becomes_a_filter_of_beijing_days() {
        let q = AuditQuery {
            user: " teacher01 ".into(),
            entity: "student:12".into(),
            school: "3".into(),
            from: "2025-09-01".into(),
            to: "2025-09-01".into(),
            before: Some(99),
            ..AuditQuery::default()
        };
        let f = q.filter().unwrap();
        assert_eq!(f.username.as_deref(), Some("teacher01"));
        assert_eq!(f.action, None);
        assert_eq!(f.entity.as_deref(), Some("student:12"));
        assert_eq!(f.school_id, Some(SchoolId(3)));
        // 2025-09-01 00:00 in Beijing is 2025-08-31 16:00 UTC; the day is included whole.
        assert_eq!(f.since, Some(1_756_656_000));
        assert_eq!(f.until, Some(1_756_656_000 + 86_400));
        assert_eq!(f.before_id, Some(99));
        assert_eq!(
            AuditQuery::default().filter().unwrap(),
            AuditFilter::default()
        );
    }

    #[test]
    fn a_bad_day_or_school_is_refused_in_chinese() {
        let bad_day = AuditQuery {
            to: "2025-13-01".into(),
            ..AuditQuery::default()
        };
        let e = bad_day.filter().unwrap_err().to_string();
        assert!(e.contains("结束日期“2025-13-01”不是日期"), "{e}");
        let bad_school = AuditQuery {
            school: "一中".into(),
            ..AuditQuery::default()
        };
        let e = bad_school.filter().unwrap_err().to_string();
        assert!(e.contains("学校编号“一中”应为数字"), "{e}");
    }
}
