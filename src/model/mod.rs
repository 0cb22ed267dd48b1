//! Types shared by the server and the browser: what the API sends and the pages render.

mod answers;
mod peer_signal;

use chrono::{DateTime, Utc};

pub use answers::*;
pub use peer_signal::{PeerMessage, Route};
use serde::{Deserialize, Serialize};

/// A user as others may see them (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// The answer to register, login and refresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub user: User,
}

/// A paginated list, as every `GET` list of the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub data: Vec<T>,
    pub current_page: i64,
    pub per_page: i64,
    pub total: i64,
    pub last_page: i64,
}

/// A closed set of values, each spelt as the API spells it.
pub trait Choice: Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;

    /// What a value outside the set is told: "must be one of a, b, c".
    fn expected() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
        format!("must be one of {}", names.join(", "))
    }
}

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        // Each `$text` is its variant's name in snake_case (the OpenAPI derive does not read a
        // rename passed through a macro).
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl Choice for $name {
            const ALL: &'static [Self] = $name::ALL;

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "must be one of {}, not {other:?}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// scheduled → started → ended, and scheduled → cancelled.
    MeetingStatus { Scheduled = "scheduled", Started = "started", Ended = "ended", Cancelled = "cancelled" }
);
string_enum!(InvitationStatus { Pending = "pending", Accepted = "accepted", Rejected = "rejected", Proposed = "proposed" });
string_enum!(
    /// `scope` of the meetings list.
    MeetingScope { All = "all", Owned = "owned", Invited = "invited" }
);
string_enum!(
    /// `sort_by` of the meetings list. `upcoming`: scheduled and started meetings first,
    /// soonest first; then ended and cancelled ones, latest first (`sort_dir` does not apply).
    MeetingSort {
        ScheduledAt = "scheduled_at",
        CreatedAt = "created_at",
        Title = "title",
        Status = "status",
        Upcoming = "upcoming",
    }
);
string_enum!(
    /// `sort_by` of the recordings list.
    #[allow(clippy::enum_variant_names, reason = "the names are the API's column names")]
    RecordingSort { CreatedAt = "created_at", StartedAt = "started_at", EndedAt = "ended_at" }
);
string_enum!(
    /// `sort_dir` of a list.
    SortDir { Asc = "asc", Desc = "desc" }
);
/// `active` of the participants list: `1`/`true` keeps those present only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ActiveFlag {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "0")]
    Zero,
    #[serde(rename = "true")]
    True,
    #[serde(rename = "false")]
    False,
}

impl ActiveFlag {
    pub fn present_only(self) -> bool {
        matches!(self, Self::One | Self::True)
    }
}

impl Choice for ActiveFlag {
    const ALL: &'static [Self] = &[Self::One, Self::Zero, Self::True, Self::False];

    fn as_str(self) -> &'static str {
        match self {
            Self::One => "1",
            Self::Zero => "0",
            Self::True => "true",
            Self::False => "false",
        }
    }
}

impl std::str::FromStr for ActiveFlag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|flag| flag.as_str() == s)
            .ok_or_else(Self::expected)
    }
}

string_enum!(SignalType { Offer = "offer", Answer = "answer", Candidate = "candidate", Bye = "bye" });
string_enum!(Sentiment { Neutral = "neutral", Positive = "positive", Negative = "negative" });
string_enum!(Role { Owner = "owner", Invitee = "invitee" });

impl Role {
    /// Who may join a meeting's call: its owner, and invitees who accepted (`answer` is an
    /// invitee's own).
    pub fn may_join(self, answer: Option<InvitationStatus>) -> bool {
        self == Role::Owner || answer == Some(InvitationStatus::Accepted)
    }
}

impl MeetingStatus {
    /// Ended and cancelled meetings take no more changes, invitations or joins.
    pub fn is_closed(self) -> bool {
        self.closed_note().is_some()
    }

    /// Whether the call of a meeting in this status is open to someone in `role`, whose own
    /// answer is `answer` when invited: the meeting is open, and they may join it.
    pub fn call_open_to(self, role: Role, answer: Option<InvitationStatus>) -> bool {
        !self.is_closed() && role.may_join(answer)
    }

    /// What the pages say of a closed meeting, where it offers nothing more to do.
    pub fn closed_note(self) -> Option<&'static str> {
        match self {
            MeetingStatus::Ended => Some("The meeting has ended."),
            MeetingStatus::Cancelled => Some("The meeting was cancelled."),
            MeetingStatus::Scheduled | MeetingStatus::Started => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: i64,
    pub owner_id: i64,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub status: MeetingStatus,
    pub join_code: String,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The invitee's own invitation, as shown beside a meeting in their lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationSummary {
    pub id: i64,
    pub status: InvitationStatus,
    pub proposed_time: Option<DateTime<Utc>>,
}

/// A meeting in the caller's list: the meeting, the caller's role and, for an invitee,
/// their invitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingListItem {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub invitation: Option<InvitationSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Invitation {
    pub id: i64,
    pub meeting_id: i64,
    pub inviter_id: i64,
    pub invitee_user_id: Option<i64>,
    pub invitee_email: String,
    pub status: InvitationStatus,
    pub proposed_time: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What an invitee sees of the meeting beside an invitation in their inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingSummary {
    pub id: i64,
    pub title: String,
    pub scheduled_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub status: MeetingStatus,
    pub owner_id: i64,
    pub owner_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationWithMeeting {
    #[serde(flatten)]
    pub invitation: Invitation,
    pub meeting: MeetingSummary,
}

/// An invitation as its meeting's owner lists it: with the invitee's name once the address
/// belongs to an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationWithInvitee {
    #[serde(flatten)]
    pub invitation: Invitation,
    pub invitee_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Participant {
    pub meeting_id: i64,
    pub user_id: i64,
    pub name: String,
    pub joined_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Signal {
    pub id: i64,
    pub meeting_id: i64,
    pub from_user_id: i64,
    pub to_user_id: i64,
    #[serde(rename = "type")]
    pub kind: SignalType,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecordingParticipant {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Recording {
    pub id: i64,
    pub meeting_id: i64,
    pub participants: Vec<RecordingParticipant>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub file_path: Option<String>,
    pub size_bytes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: i64,
    pub meeting_id: i64,
    pub transcript_text: String,
    pub key_points: Vec<String>,
    pub sentiment: Sentiment,
    pub created_at: DateTime<Utc>,
}

/// "1 person", "2 people": a count with its noun, for the notes and the pages alike.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serde (the API's JSON) and `as_str` (SQL, query strings, messages) spell every value
    /// alike, and each value reads back from its text.
    fn spelt_alike<T>()
    where
        T: Choice + Serialize + std::str::FromStr + PartialEq + std::fmt::Debug,
    {
        for value in T::ALL {
            assert_eq!(serde_json::to_value(value).unwrap(), value.as_str());
            assert_eq!(value.as_str().parse::<T>().ok(), Some(*value));
        }
    }

    #[test]
    fn every_closed_set_is_spelt_alike_in_json_and_text() {
        spelt_alike::<MeetingStatus>();
        spelt_alike::<InvitationStatus>();
        spelt_alike::<MeetingScope>();
        spelt_alike::<MeetingSort>();
        spelt_alike::<RecordingSort>();
        spelt_alike::<SortDir>();
        spelt_alike::<ActiveFlag>();
        spelt_alike::<SignalType>();
        spelt_alike::<Sentiment>();
        spelt_alike::<Role>();
    }
}
