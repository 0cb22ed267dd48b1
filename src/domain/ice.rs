//! The ICE servers of a call: the static `ICE_SERVERS` list, plus short-lived TURN credentials
//! for the caller when a TURN server shares our secret (the TURN REST API, which coturn checks
//! with `use-auth-secret`): the username is `expiry:user_id`, the password the base64 HMAC-SHA1
//! of the username under the secret, so the TURN server needs no database of ours.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::Backend;
use super::access::meeting_for;
use crate::error::AppError;
use crate::infra::config::Config;
use crate::infra::db::from_millis;
use crate::model::{IceServer, RtcConfig};

/// What the caller's peer connections need in this meeting: only for those who may join it.
pub async fn for_call(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<RtcConfig, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    if let Some(refusal) = access.join_refusal() {
        return Err(refusal);
    }
    Ok(servers(&cx.config, user_id, Utc::now()))
}

/// The ICE servers for `user_id` as of `now`.
pub fn servers(config: &Config, user_id: i64, now: DateTime<Utc>) -> RtcConfig {
    let mut ice_servers = config.ice_servers.clone();
    let mut expires_at = None;
    if let Some(turn) = &config.turn {
        let expiry = now.timestamp().saturating_add(turn.ttl_seconds);
        let username = format!("{expiry}:{user_id}");
        ice_servers.push(IceServer {
            urls: turn.urls.clone(),
            credential: Some(turn_password(&turn.secret, &username)),
            username: Some(username),
        });
        expires_at = Some(from_millis(expiry.saturating_mul(1000)));
    }
    RtcConfig {
        ice_servers,
        expires_at,
    }
}

/// The TURN REST API's password for `username`: base64 of its HMAC-SHA1 under `secret`.
pub fn turn_password(secret: &[u8], username: &str) -> String {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = <Hmac<Sha1>>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(username.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::config::Turn;

    #[test]
    fn the_turn_password_is_the_base64_hmac_sha1_of_the_username() {
        // Worked out independently: base64(HMAC-SHA1("north-turn-secret", "1767225600:42")).
        assert_eq!(
            turn_password(b"north-turn-secret", "1767225600:42"),
            "1kyBpYhIhj4xzMBY9I+uCyvigfc="
        );
    }

    #[test]
    fn turn_credentials_follow_the_static_servers_and_expire_after_the_ttl() {
        let mut config = Config::new("sqlite://unused.db", "unused", b"secret");
        config.ice_servers = vec![IceServer {
            urls: vec!["stun:stun.example.org:3478".into()],
            username: None,
            credential: None,
        }];
        assert_eq!(
            servers(&config, 42, Utc::now()).ice_servers,
            config.ice_servers
        );
        assert_eq!(servers(&config, 42, Utc::now()).expires_at, None);

        config.turn = Some(Turn {
            urls: vec!["turn:turn.example.org:3478?transport=udp".into()],
            secret: b"north-turn-secret".to_vec(),
            ttl_seconds: 3600,
        });
        let now = DateTime::from_timestamp(1_767_222_000, 0).unwrap();
        let rtc = servers(&config, 42, now);
        assert_eq!(rtc.ice_servers.len(), 2);
        let turn = &rtc.ice_servers[1];
        assert_eq!(turn.urls, ["turn:turn.example.org:3478?transport=udp"]);
        assert_eq!(turn.username.as_deref(), Some("1767225600:42"));
        assert_eq!(
            turn.credential.as_deref(),
            Some("1kyBpYhIhj4xzMBY9I+uCyvigfc=")
        );
        assert_eq!(rtc.expires_at, DateTime::from_timestamp(1_767_225_600, 0));
    }
}
