//! What one call answers when it is more than one record: the shapes that the REST handlers,
//! the server functions and the pages share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Invitation, InvitationWithInvitee, Meeting, MeetingStatus, Note, Participant, Recording, Role,
};

/// A new meeting and the link to its call page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MeetingCreated {
    pub meeting: Meeting,
    /// The absolute URL of the meeting's call page.
    pub join_link: String,
}

/// One meeting as the caller sees it: their role, their own invitation when invited, and
/// every invitation when they own it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub join_link: String,
    pub role: Role,
    pub invitation: Option<Invitation>,
    pub invitations: Vec<InvitationWithInvitee>,
}

/// Where a join link leads the signed-in caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinTarget {
    pub meeting_id: i64,
    pub title: String,
    /// Why the caller cannot join the call yet, in words for them; `None` when they can.
    pub blocked: Option<String>,
}

/// Everything the meeting page shows, in one call: the details and, for the owner, the
/// recordings (newest first) and the notes (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingPageData {
    pub detail: MeetingDetail,
    pub recordings: Vec<Recording>,
    pub notes: Vec<Note>,
    /// The meeting's and its invitations' revision this page was built from (see `HereNow`).
    pub revision: String,
}

/// The meeting at its new time and the invitation now accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProposalAccepted {
    pub meeting: Meeting,
    pub invitation: Invitation,
}

/// What the meeting page's "Here now" card shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HereNow {
    /// The meeting's status at this moment, so an open page notices when it starts or ends.
    pub status: MeetingStatus,
    /// Who is present, newest first; `None` when the caller may not see it (an invitee who
    /// has not accepted), which the page shows as a hint rather than an error.
    pub participants: Option<Vec<Participant>>,
    /// The meeting's and its invitations' revision now: when it differs from the page's, an
    /// answer, a proposal or an edit has come in, and the page reloads its data.
    pub revision: String,
}

/// What the call page learns on load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallInfo {
    pub meeting_id: i64,
    pub title: String,
    pub user_id: i64,
    pub user_name: String,
    pub may_join: bool,
    /// Why joining is impossible, for a person to read; `None` when `may_join`.
    pub reason: Option<String>,
    /// The ICE servers for the peer connections, with this user's TURN credentials (none when
    /// they may not join).
    pub rtc: RtcConfig,
}

/// What a participant's peer connections need: the `iceServers` of an `RTCPeerConnection`,
/// including short-lived TURN credentials for this user when a TURN server is configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RtcConfig {
    pub ice_servers: Vec<IceServer>,
    /// When the TURN credentials among them stop working; `None` without TURN credentials.
    pub expires_at: Option<DateTime<Utc>>,
}

/// One entry of `iceServers` (`RTCIceServer`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IceServer {
    /// `stun:`, `turn:` or `turns:` URLs (`ICE_SERVERS` may also give one as a plain string).
    #[serde(deserialize_with = "one_or_many")]
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Urls {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Urls::deserialize(deserializer)? {
        Urls::One(url) => vec![url],
        Urls::Many(urls) => urls,
    })
}
