//! The caller's list of meetings: those they own or are invited to, filtered, sorted and
//! paginated.

use super::Backend;
use super::access::{MEETING_COLUMNS, MeetingRow};
use super::validate::{Checks, PageRequest};
use crate::error::AppError;
use crate::infra::db::from_millis;
use crate::model::{InvitationSummary, Meeting, MeetingListItem, MeetingStatus, Page, Role};

/// The list filters as they arrive (query string or page); unknown values are a 422 naming
/// the parameter. Empty values count as absent.
#[derive(Default, Debug, Clone, serde::Deserialize)]
pub struct ListQuery {
    pub scope: Option<String>,
    pub status: Option<String>,
    pub sort_by: Option<String>,
    pub sort_dir: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn pick<'a>(
    checks: &mut Checks,
    field: &str,
    value: Option<&str>,
    allowed: &[&'a str],
    default: &'a str,
) -> &'a str {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => default,
        Some(v) => match allowed.iter().find(|a| **a == v) {
            Some(a) => a,
            None => {
                checks.fail(field, format!("must be one of {}", allowed.join(", ")));
                default
            }
        },
    }
}

/// `sort_by=upcoming`: the meetings still to come or under way first, soonest first; then the
/// ended and cancelled ones, latest first (times are integers, so negating one reverses them).
const UPCOMING_ORDER: &str = "CASE WHEN m.status IN ('ended', 'cancelled') THEN 1 ELSE 0 END, \
     CASE WHEN m.status IN ('ended', 'cancelled') THEN -m.scheduled_at ELSE m.scheduled_at END, m.id";

#[derive(sqlx::FromRow)]
struct ListRow {
    #[sqlx(flatten)]
    meeting: MeetingRow,
    invitation_id: Option<i64>,
    invitation_status: Option<String>,
    invitation_proposed_time: Option<i64>,
}

/// The meetings the caller owns or is invited to, filtered, sorted and paginated.
pub async fn list(
    cx: &Backend,
    user_id: i64,
    query: ListQuery,
) -> Result<Page<MeetingListItem>, AppError> {
    let mut checks = Checks::new();
    let scope = pick(
        &mut checks,
        "scope",
        query.scope.as_deref(),
        &["all", "owned", "invited"],
        "all",
    );
    let statuses: Vec<&str> = MeetingStatus::ALL.iter().map(|s| s.as_str()).collect();
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(_) => Some(pick(
            &mut checks,
            "status",
            query.status.as_deref(),
            &statuses,
            "scheduled",
        )),
    };
    // ORDER BY is only ever built from these fixed strings, never from the raw input.
    let sort_by = match pick(
        &mut checks,
        "sort_by",
        query.sort_by.as_deref(),
        &["scheduled_at", "created_at", "title", "status", "upcoming"],
        "scheduled_at",
    ) {
        "created_at" => Some("m.created_at".to_string()),
        "title" => Some(format!("LOWER({})", cx.db.bytewise("m.title"))),
        "status" => Some("m.status".to_string()),
        "upcoming" => None,
        _ => Some("m.scheduled_at".to_string()),
    };
    let sort_dir = match pick(
        &mut checks,
        "sort_dir",
        query.sort_dir.as_deref(),
        &["asc", "desc"],
        "desc",
    ) {
        "asc" => "ASC",
        _ => "DESC",
    };
    let page = PageRequest::new(query.page, query.per_page);
    let page = match (checks.finish(), page) {
        (Ok(()), Ok(page)) => page,
        (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
            a.extend(b);
            return Err(AppError::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };

    let scope_sql = match scope {
        "owned" => "m.owner_id = $1",
        "invited" => "m.owner_id <> $1 AND i.id IS NOT NULL",
        _ => "(m.owner_id = $1 OR i.id IS NOT NULL)",
    };
    let status_sql = if status.is_some() {
        " AND m.status = $2"
    } else {
        ""
    };
    let from = format!(
        "FROM meetings m LEFT JOIN invitations i ON i.meeting_id = m.id AND i.invitee_user_id = $1 \
         WHERE {scope_sql}{status_sql}"
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = cx.db.query_scalar::<i64>(&count_sql).bind(user_id);
    if let Some(s) = status {
        count = count.bind(s);
    }
    let total = count.fetch_one(cx.db.reader()).await?;

    let columns = MEETING_COLUMNS
        .split(", ")
        .map(|c| format!("m.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let (limit_at, offset_at) = if status.is_some() { (3, 4) } else { (2, 3) };
    let select_sql = format!(
        "SELECT {columns}, i.id AS invitation_id, i.status AS invitation_status, \
         i.proposed_time AS invitation_proposed_time {from} \
         ORDER BY {order} LIMIT ${limit_at} OFFSET ${offset_at}",
        order = match sort_by {
            Some(column) => format!("{column} {sort_dir}, m.id {sort_dir}"),
            None => UPCOMING_ORDER.to_string(),
        }
    );
    let mut select = cx.db.query_as::<ListRow>(&select_sql).bind(user_id);
    if let Some(s) = status {
        select = select.bind(s);
    }
    let rows = select
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(cx.db.reader())
        .await?;
    let data = rows
        .into_iter()
        .map(|row| {
            let meeting = Meeting::from(row.meeting);
            let is_owner = meeting.owner_id == user_id;
            let invitation = match (is_owner, row.invitation_id, row.invitation_status) {
                (false, Some(id), Some(status)) => Some(InvitationSummary {
                    id,
                    status: status
                        .parse()
                        .unwrap_or(crate::model::InvitationStatus::Pending),
                    proposed_time: row.invitation_proposed_time.map(from_millis),
                }),
                _ => None,
            };
            MeetingListItem {
                meeting,
                role: if is_owner { Role::Owner } else { Role::Invitee },
                invitation,
            }
        })
        .collect();
    Ok(page.into_page(data, total))
}
