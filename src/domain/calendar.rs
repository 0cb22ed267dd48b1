//! The meeting as an iCalendar file (one VEVENT), so people can put it in their calendar.

use super::Backend;
use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

use super::access::meeting_for;
use super::meetings::join_link;
use crate::error::AppError;
use crate::model::MeetingStatus;

/// The `.ics` text of a meeting, for its owner and invitees.
pub async fn ics(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<String, AppError> {
    let meeting = meeting_for(cx, user_id, meeting_id).await?.meeting;
    let owner = super::users::get(cx, meeting.owner_id)
        .await?
        .ok_or_else(super::access::not_found)?;
    let link = join_link(&cx.config, &meeting);
    let host = cx
        .config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or(&cx.config.public_url)
        .trim_end_matches('/');

    let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", owner.email));
    organizer.add_parameter("CN", &owner.name);
    let mut event = Event::new();
    event
        // Stable across downloads, so calendars update the event instead of duplicating it.
        .uid(&format!("meeting-{}@{host}", meeting.id))
        .summary(&meeting.title)
        .starts(meeting.scheduled_at)
        .ends(meeting.scheduled_at + Duration::minutes(meeting.duration_minutes))
        .url(&link)
        .description(&format!("Join: {link}"))
        .last_modified(meeting.updated_at)
        .append_property(organizer);
    match meeting.status {
        MeetingStatus::Cancelled => event.status(EventStatus::Cancelled),
        _ => event.status(EventStatus::Confirmed),
    };
    let calendar = Calendar::new()
        .name(&meeting.title)
        .push(event.done())
        .done();
    Ok(calendar.to_string())
}
