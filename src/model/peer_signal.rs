//! What two call pages say to each other through the signal inbox: the signal's `type` and its
//! `payload` read as one typed message. The server stores any JSON object as the payload; this
//! is the protocol the browser's call engine speaks (and any client that joins it must);
//! docs/SIGNALING.md specifies it with its timers and rules.
//!
//! Every payload carries the route: `from`, the sender page's instance id; `to`, the receiving
//! page's instance when known (a reloaded page ignores what was meant for its predecessor); and
//! `link`, the id of the peer connection it belongs to, once the sender's link has one (never on
//! `bye`). Then:
//! - `offer` / `answer`: `{"sdp": {"type", "sdp"}}`;
//! - `candidate`: `{"kind": "ice", "candidate": {...}}` for trickle ICE (a candidate without a
//!   `kind` is one too), `{"kind": "hello"}` to ask the offering side for a (new) offer, and
//!   `{"kind": "state", "muted", "camera_off"}` to share the sender's microphone and camera
//!   state (the API has only four signal types);
//! - `bye`: the sender left this link.

use serde_json::{Value, json};

use super::SignalType;

/// Which page a message comes from, which it is meant for, and the link it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    pub from: String,
    pub to: Option<String>,
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PeerMessage {
    /// A session description offered on a link (`{"type": "offer", "sdp"}`).
    Offer { sdp: Value },
    /// The answer to an offer.
    Answer { sdp: Value },
    /// A trickled ICE candidate (`RTCIceCandidateInit` as JSON).
    Ice { candidate: Value },
    /// The answering side asks for a (new) offer.
    Hello,
    /// The sender's microphone and camera state.
    State { muted: bool, camera_off: bool },
    /// The sender left this link.
    Bye,
}

impl PeerMessage {
    /// The signal type this message travels as.
    pub fn kind(&self) -> SignalType {
        match self {
            Self::Offer { .. } => SignalType::Offer,
            Self::Answer { .. } => SignalType::Answer,
            Self::Ice { .. } | Self::Hello | Self::State { .. } => SignalType::Candidate,
            Self::Bye => SignalType::Bye,
        }
    }

    /// A local description as a message: an offer or an answer, by its own `type`.
    pub fn description(sdp: Value) -> Self {
        if sdp["type"] == "answer" {
            Self::Answer { sdp }
        } else {
            Self::Offer { sdp }
        }
    }

    /// The signal's payload: this message's fields and the route's.
    pub fn payload(&self, route: &Route) -> Value {
        let mut payload = match self {
            Self::Offer { sdp } | Self::Answer { sdp } => json!({ "sdp": sdp }),
            Self::Ice { candidate } => json!({ "kind": "ice", "candidate": candidate }),
            Self::Hello => json!({ "kind": "hello" }),
            Self::State { muted, camera_off } => {
                json!({ "kind": "state", "muted": muted, "camera_off": camera_off })
            }
            Self::Bye => json!({}),
        };
        payload["from"] = route.from.clone().into();
        if let Some(to) = &route.to {
            payload["to"] = to.clone().into();
        }
        if let Some(link) = &route.link {
            payload["link"] = link.clone().into();
        }
        payload
    }

    /// Reads a received signal; `None` for a payload that no page sends (a candidate of an
    /// unknown `kind`), which the engine ignores.
    pub fn read(kind: SignalType, payload: &Value) -> Option<(Route, Self)> {
        let text = |key: &str| payload[key].as_str().map(str::to_string);
        let route = Route {
            from: text("from").unwrap_or_default(),
            to: text("to"),
            link: text("link"),
        };
        let message = match kind {
            SignalType::Offer => Self::Offer {
                sdp: payload["sdp"].clone(),
            },
            SignalType::Answer => Self::Answer {
                sdp: payload["sdp"].clone(),
            },
            SignalType::Bye => Self::Bye,
            SignalType::Candidate => match payload["kind"].as_str().unwrap_or("ice") {
                "ice" => Self::Ice {
                    candidate: payload["candidate"].clone(),
                },
                "hello" => Self::Hello,
                "state" => Self::State {
                    muted: payload["muted"].as_bool().unwrap_or(false),
                    camera_off: payload["camera_off"].as_bool().unwrap_or(false),
                },
                _ => return None,
            },
        };
        Some((route, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route() -> Route {
        Route {
            from: "page-a".into(),
            to: Some("page-b".into()),
            link: Some("link-1".into()),
        }
    }

    #[test]
    fn every_message_reads_back_from_its_payload() {
        let messages = [
            PeerMessage::Offer {
                sdp: json!({"type": "offer", "sdp": "v=0"}),
            },
            PeerMessage::Answer {
                sdp: json!({"type": "answer", "sdp": "v=0"}),
            },
            PeerMessage::Ice {
                candidate: json!({"candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host"}),
            },
            PeerMessage::Hello,
            PeerMessage::State {
                muted: true,
                camera_off: false,
            },
            PeerMessage::Bye,
        ];
        for message in messages {
            let payload = message.payload(&route());
            assert_eq!(
                PeerMessage::read(message.kind(), &payload),
                Some((route(), message.clone())),
                "{payload}"
            );
        }
    }

    #[test]
    fn the_wire_format_is_the_documented_one() {
        let hello = PeerMessage::Hello.payload(&Route {
            from: "a".into(),
            ..Route::default()
        });
        assert_eq!(hello, json!({"kind": "hello", "from": "a"}));
        let ice = PeerMessage::Ice {
            candidate: json!({"candidate": "c"}),
        };
        assert_eq!(ice.kind(), SignalType::Candidate);
        assert_eq!(
            ice.payload(&route()),
            json!({"kind": "ice", "candidate": {"candidate": "c"}, "from": "page-a", "to": "page-b", "link": "link-1"})
        );
    }

    #[test]
    fn a_candidate_without_a_kind_is_ice_and_an_unknown_kind_is_ignored() {
        let bare = json!({"from": "a", "candidate": {"candidate": "c"}});
        assert!(matches!(
            PeerMessage::read(SignalType::Candidate, &bare),
            Some((_, PeerMessage::Ice { .. }))
        ));
        let odd = json!({"from": "a", "kind": "dance"});
        assert_eq!(PeerMessage::read(SignalType::Candidate, &odd), None);
    }

    #[test]
    fn a_description_is_an_offer_or_an_answer_by_its_type() {
        let answer = PeerMessage::description(json!({"type": "answer", "sdp": ""}));
        assert_eq!(answer.kind(), SignalType::Answer);
        let offer = PeerMessage::description(json!({"type": "offer", "sdp": ""}));
        assert_eq!(offer.kind(), SignalType::Offer);
    }
}
