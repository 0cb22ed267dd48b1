//! The caller's list of meetings: those they own or are invited to, filtered, sorted and
//! paginated.

use super::Backend;
use super::access::{MEETING_COLUMNS, MeetingRow};
use super::validate::{Checks, Given, PageRequest};
use crate::error::AppError;
use crate::infra::db::from_millis;
use crate::model::{
    InvitationSummary, Meeting, MeetingListItem, MeetingScope, MeetingSort, MeetingStatus, Page,
    Role, SortDir,
};

/// The list filters as they arrive (query string or page); unknown values are a 422 naming
/// the parameter.
#[derive(Default, Debug, Clone, serde::Deserialize)]
pub struct ListQuery {
    pub scope: Option<Given<MeetingScope>>,
    pub status: Option<Given<MeetingStatus>>,
    pub sort_by: Option<Given<MeetingSort>>,
    pub sort_dir: Option<Given<SortDir>>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// `sort_by=upcoming`: the meetings still to come or under way first, soonest first; then the
/// ended and cancelled ones, latest first (times are integers, so negating one reverses them).
const UPCOMING_ORDER: &str = "CASE WHEN m.status IN ('ended', 'cancelled') THEN 1 ELSE 0 END, \
     CASE WHEN m.status IN ('ended', 'cancelled') THEN -m.scheduled_at ELSE m.scheduled_at END, m.id";

/// The column a sort orders by; `None` for `upcoming`, which has an order of its own. ORDER BY
/// is only ever built from these fixed strings, never from the raw input.
fn order_column(cx: &Backend, sort: MeetingSort) -> Option<String> {
    match sort {
        MeetingSort::ScheduledAt => Some("m.scheduled_at".into()),
        MeetingSort::CreatedAt => Some("m.created_at".into()),
        MeetingSort::Title => Some(format!("LOWER({})", cx.db.bytewise("m.title"))),
        MeetingSort::Status => Some("m.status".into()),
        MeetingSort::Upcoming => None,
    }
}

pub(super) fn direction(dir: SortDir) -> &'static str {
    match dir {
        SortDir::Asc => "ASC",
        SortDir::Desc => "DESC",
    }
}

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
    let scope = checks.choice("scope", query.scope, MeetingScope::All);
    let status = query
        .status
        .map(|given| checks.choice("status", Some(given), MeetingStatus::Scheduled));
    let sort_by = checks.choice("sort_by", query.sort_by, MeetingSort::ScheduledAt);
    let sort_dir = checks.choice("sort_dir", query.sort_dir, SortDir::Desc);
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
        MeetingScope::Owned => "m.owner_id = $1",
        MeetingScope::Invited => "m.owner_id <> $1 AND i.id IS NOT NULL",
        MeetingScope::All => "(m.owner_id = $1 OR i.id IS NOT NULL)",
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
        count = count.bind(s.as_str());
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
        order = match order_column(cx, sort_by) {
            Some(column) => {
                let dir = direction(sort_dir);
                format!("{column} {dir}, m.id {dir}")
            }
            None => UPCOMING_ORDER.to_string(),
        }
    );
    let mut select = cx.db.query_as::<ListRow>(&select_sql).bind(user_id);
    if let Some(s) = status {
        select = select.bind(s.as_str());
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
