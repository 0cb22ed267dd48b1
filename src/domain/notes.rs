//! AI notes (mocked): a summary built only from the meeting's own data (title, attendance,
//! recordings, invitation answers), so the same data always gives the same note.
//!
//! The sentiment rule. Let *answered* be the invitations that are not pending (accepted,
//! rejected or proposed), *expected* the owner plus the accepted invitees, and *attendees*
//! the people who joined the call at least once.
//! - **negative** if nobody attended, or more than half of the answered invitations are
//!   rejected;
//! - **positive** otherwise, if at least one invitation was answered, more than half of the
//!   answered invitations are accepted, and attendees are at least three quarters of expected;
//! - **neutral** in every other case (for example a meeting with no answered invitations).

use super::Backend;
use super::access::meeting_for;
use super::recordings::human_duration;
use crate::error::{AppError, ErrorCode};
use crate::infra::db::{from_millis, now_millis};
use crate::model::{InvitationStatus, MeetingStatus, Note, Sentiment, plural};

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    meeting_id: i64,
    transcript_text: String,
    key_points: String,
    sentiment: String,
    created_at: i64,
}

impl From<NoteRow> for Note {
    fn from(r: NoteRow) -> Self {
        Note {
            id: r.id,
            meeting_id: r.meeting_id,
            transcript_text: r.transcript_text,
            // Written by `generate` as a JSON list; the column has a CHECK on sentiment.
            key_points: serde_json::from_str(&r.key_points).unwrap_or_default(),
            sentiment: r.sentiment.parse().unwrap_or(Sentiment::Neutral),
            created_at: from_millis(r.created_at),
        }
    }
}

/// The facts a note is made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub title: String,
    /// Name and seconds in the call, in the order people joined.
    pub attendance: Vec<(String, i64)>,
    pub accepted: i64,
    pub rejected: i64,
    pub proposed: i64,
    pub pending: i64,
    /// Seconds of each ended recording, oldest first.
    pub recording_seconds: Vec<i64>,
    pub running_recordings: i64,
}

impl Facts {
    /// The rule in the module documentation.
    pub fn sentiment(&self) -> Sentiment {
        let answered = self.accepted + self.rejected + self.proposed;
        let attendees = self.attendance.len() as i64;
        let expected = 1 + self.accepted;
        if attendees == 0 || self.rejected * 2 > answered {
            Sentiment::Negative
        } else if answered > 0 && self.accepted * 2 > answered && attendees * 4 >= expected * 3 {
            Sentiment::Positive
        } else {
            Sentiment::Neutral
        }
    }

    fn invitations_line(&self) -> String {
        format!(
            "Invitations: {} accepted, {} rejected, {} proposed another time, {} pending.",
            self.accepted, self.rejected, self.proposed, self.pending
        )
    }

    fn recordings_line(&self) -> String {
        let total: i64 = self.recording_seconds.iter().sum();
        let mut line = format!(
            "Recordings: {} finished, {} in total.",
            self.recording_seconds.len(),
            human_duration(total)
        );
        if self.running_recordings > 0 {
            line.push_str(&format!(" {} still running.", self.running_recordings));
        }
        line
    }

    pub fn key_points(&self) -> Vec<String> {
        let mut points = Vec::new();
        if self.attendance.is_empty() {
            points.push("Nobody attended the call.".to_string());
        } else {
            let names: Vec<&str> = self.attendance.iter().map(|(n, _)| n.as_str()).collect();
            points.push(format!(
                "{} attended: {}.",
                plural(names.len(), "person", "people"),
                names.join(", ")
            ));
            // The first of the longest stays, so ties resolve the same way every time.
            if let Some((name, secs)) =
                self.attendance
                    .iter()
                    .fold(None::<&(String, i64)>, |best, a| match best {
                        Some(b) if b.1 >= a.1 => Some(b),
                        _ => Some(a),
                    })
            {
                points.push(format!(
                    "Longest in the call: {name} ({}).",
                    human_duration(*secs)
                ));
            }
        }
        points.push(self.invitations_line());
        points.push(self.recordings_line());
        points.push(format!("Overall sentiment: {}.", self.sentiment()));
        points
    }

    pub fn transcript(&self) -> String {
        let mut lines = vec![format!(
            "Summary of \"{}\" (generated from meeting data).",
            self.title
        )];
        if self.attendance.is_empty() {
            lines.push("Nobody joined the call.".into());
        }
        for (name, secs) in &self.attendance {
            lines.push(format!(
                "{name} was in the call for {}.",
                human_duration(*secs)
            ));
        }
        lines.push(self.invitations_line());
        lines.push(self.recordings_line());
        if let Some((host, _)) = self.attendance.first() {
            lines.push(format!("{host}: Welcome, everyone, to \"{}\".", self.title));
            for (name, _) in self.attendance.iter().skip(1) {
                lines.push(format!("{name}: Thanks, glad to be here."));
            }
            lines.push(format!("{host}: Let's wrap up. Thank you all."));
        }
        lines.join("\n")
    }
}

/// Reads the facts of one meeting as of `now`, the moment the note is made. How long someone
/// attended runs from their latest join to their leaving; for someone still in the call, to
/// `now`; for someone who fell silent without leaving, to when they were last seen.
async fn facts(cx: &Backend, meeting_id: i64, title: &str, now: i64) -> Result<Facts, AppError> {
    let attendance: Vec<(String, i64, Option<i64>, i64)> = cx
        .db
        .query_as(
            "SELECT u.name, p.joined_at, p.left_at, p.last_seen_at FROM meeting_participants p \
             JOIN users u ON u.id = p.user_id WHERE p.meeting_id = $1 ORDER BY p.joined_at, u.id",
        )
        .bind(meeting_id)
        .fetch_all(cx.db.reader())
        .await?;
    let statuses: Vec<(String, i64)> = cx
        .db
        .query_as("SELECT status, COUNT(*) FROM invitations WHERE meeting_id = $1 GROUP BY status")
        .bind(meeting_id)
        .fetch_all(cx.db.reader())
        .await?;
    let recordings: Vec<(i64, Option<i64>)> = cx.db
        .query_as("SELECT started_at, ended_at FROM recordings WHERE meeting_id = $1 ORDER BY started_at, id")
        .bind(meeting_id)
        .fetch_all(cx.db.reader())
        .await?;
    let cutoff = super::presence::presence_cutoff(now, cx.presence_timeout_secs());
    let mut facts = Facts {
        title: title.to_string(),
        attendance: attendance
            .into_iter()
            .map(|(name, joined, left, seen)| {
                let until = match left {
                    Some(left) => left,
                    None if seen >= cutoff => now,
                    None => seen,
                };
                (name, (until - joined).max(0) / 1000)
            })
            .collect(),
        ..Facts::default()
    };
    for (status, n) in statuses {
        match status.parse::<InvitationStatus>() {
            Ok(InvitationStatus::Accepted) => facts.accepted = n,
            Ok(InvitationStatus::Rejected) => facts.rejected = n,
            Ok(InvitationStatus::Proposed) => facts.proposed = n,
            Ok(InvitationStatus::Pending) | Err(_) => facts.pending += n,
        }
    }
    for (started, ended) in recordings {
        match ended {
            Some(ended) => facts
                .recording_seconds
                .push((ended - started).max(0) / 1000),
            None => facts.running_recordings += 1,
        }
    }
    Ok(facts)
}

/// Builds and stores a note for the meeting (owner only; not for a cancelled meeting).
pub async fn generate(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Note, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    if access.meeting.status == MeetingStatus::Cancelled {
        return Err(AppError::conflict(
            ErrorCode::MeetingCancelled,
            "A cancelled meeting has nothing to take notes on.",
        ));
    }
    let now = now_millis();
    let facts = facts(cx, meeting_id, &access.meeting.title, now).await?;
    let key_points = facts.key_points();
    let transcript_text = facts.transcript();
    let sentiment = facts.sentiment();
    let encoded = serde_json::to_string(&key_points).map_err(|e| {
        tracing::error!(error = %e, "cannot serialize note key points");
        AppError::Internal
    })?;
    let id: i64 = cx
        .db
        .query_scalar(
            "INSERT INTO ai_notes (meeting_id, transcript_text, key_points, sentiment, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(meeting_id)
        .bind(&transcript_text)
        .bind(encoded)
        .bind(sentiment.as_str())
        .bind(now)
        .fetch_one(&mut *cx.db.writer().await?)
        .await?;
    Ok(Note {
        id,
        meeting_id,
        transcript_text,
        key_points,
        sentiment,
        created_at: from_millis(now),
    })
}

/// The meeting's notes, newest first (owner only).
pub async fn list(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Vec<Note>, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    let rows: Vec<NoteRow> = cx
        .db
        .query_as(
            "SELECT id, meeting_id, transcript_text, key_points, sentiment, created_at \
             FROM ai_notes WHERE meeting_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(meeting_id)
        .fetch_all(cx.db.reader())
        .await?;
    Ok(rows.into_iter().map(Note::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(attended: usize, accepted: i64, rejected: i64, proposed: i64) -> Facts {
        Facts {
            title: "Weekly".into(),
            attendance: (0..attended).map(|i| (format!("P{i}"), 60)).collect(),
            accepted,
            rejected,
            proposed,
            ..Facts::default()
        }
    }

    #[test]
    fn sentiment_rule() {
        assert_eq!(
            facts(0, 3, 0, 0).sentiment(),
            Sentiment::Negative,
            "nobody attended"
        );
        assert_eq!(
            facts(2, 1, 2, 0).sentiment(),
            Sentiment::Negative,
            "mostly rejected"
        );
        assert_eq!(
            facts(2, 1, 0, 0).sentiment(),
            Sentiment::Positive,
            "accepted and attended"
        );
        assert_eq!(
            facts(1, 3, 0, 0).sentiment(),
            Sentiment::Neutral,
            "accepted but few came"
        );
        assert_eq!(
            facts(1, 0, 0, 0).sentiment(),
            Sentiment::Neutral,
            "nothing answered"
        );
        assert_eq!(
            facts(2, 1, 1, 0).sentiment(),
            Sentiment::Neutral,
            "a tie is neither"
        );
    }

    #[test]
    fn same_facts_same_text() {
        let f = facts(3, 2, 1, 0);
        assert_eq!(f.transcript(), f.clone().transcript());
        assert_eq!(f.key_points(), f.clone().key_points());
    }
}
