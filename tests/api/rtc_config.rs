//! The ICE servers of a call (`GET /api/meetings/{id}/rtc/config`): the static list, and
//! short-lived TURN credentials by the TURN REST API, only for those who may join.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use projitt_meet::infra::config::Turn;
use projitt_meet::model::IceServer;
use serde_json::{Value, json};
use sha1::Sha1;

use crate::support::app::{TestApp, TestUser, expect_error, spawn, spawn_with};
use crate::support::call::{cancel, invite, owner_and_guest};

const TURN_SECRET: &[u8] = b"shared-with-the-turn-server";

async fn config_of(app: &TestApp, meeting_id: i64, user: &TestUser) -> Value {
    let res = app
        .get(
            &format!("/api/meetings/{meeting_id}/rtc/config"),
            Some(&user.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn without_turn_the_static_servers_are_handed_over_as_they_are() {
    let app = spawn_with(|c| {
        c.ice_servers = vec![IceServer {
            urls: vec!["stun:stun.example.org:3478".into()],
            username: None,
            credential: None,
        }];
    })
    .await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    for user in [&owner, &guest] {
        let config = config_of(&app, meeting_id, user).await;
        assert_eq!(
            config,
            json!({"ice_servers": [{"urls": ["stun:stun.example.org:3478"]}], "expires_at": null})
        );
    }
}

#[tokio::test]
async fn turn_credentials_are_each_users_own_and_follow_the_turn_rest_api() {
    let app = spawn_with(|c| {
        c.turn = Some(Turn {
            urls: vec![
                "turn:turn.example.org:3478?transport=udp".into(),
                "turns:turn.example.org:443?transport=tcp".into(),
            ],
            secret: TURN_SECRET.to_vec(),
            ttl_seconds: 3600,
        });
    })
    .await;
    let (owner, guest, meeting_id) = owner_and_guest(&app).await;
    for user in [&owner, &guest] {
        let before = chrono::Utc::now().timestamp();
        let config = config_of(&app, meeting_id, user).await;
        let servers = config["ice_servers"].as_array().unwrap();
        assert_eq!(servers.len(), 1, "{config}");
        let turn = &servers[0];
        assert_eq!(
            turn["urls"],
            json!([
                "turn:turn.example.org:3478?transport=udp",
                "turns:turn.example.org:443?transport=tcp"
            ])
        );
        // username = "<expiry>:<user id>", expiring after the configured lifetime.
        let username = turn["username"].as_str().unwrap();
        let (expiry, id) = username.split_once(':').unwrap();
        assert_eq!(id, user.id.to_string());
        let expiry: i64 = expiry.parse().unwrap();
        assert!(
            (before + 3600..=before + 3605).contains(&expiry),
            "{expiry}"
        );
        let expires_at =
            chrono::DateTime::parse_from_rfc3339(config["expires_at"].as_str().unwrap())
                .unwrap()
                .timestamp();
        assert_eq!(expires_at, expiry);
        // credential = base64(HMAC-SHA1(secret, username)), which the TURN server checks.
        let mut mac = <Hmac<Sha1>>::new_from_slice(TURN_SECRET).unwrap();
        mac.update(username.as_bytes());
        assert_eq!(
            turn["credential"],
            STANDARD.encode(mac.finalize().into_bytes())
        );
    }
}

#[tokio::test]
async fn only_those_who_may_join_get_the_servers() {
    let app = spawn().await;
    let (owner, _guest, meeting_id) = owner_and_guest(&app).await;
    let path = format!("/api/meetings/{meeting_id}/rtc/config");
    expect_error(app.get(&path, None).await, 401, "unauthenticated").await;
    let stranger = app.register("Stranger").await;
    expect_error(
        app.get(&path, Some(&stranger.token)).await,
        404,
        "not_found",
    )
    .await;
    let undecided = app.register("Undecided").await;
    invite(&app, meeting_id, &owner, &undecided).await;
    expect_error(
        app.get(&path, Some(&undecided.token)).await,
        403,
        "not_accepted",
    )
    .await;
    cancel(&app, meeting_id, &owner).await;
    expect_error(
        app.get(&path, Some(&owner.token)).await,
        409,
        "meeting_closed",
    )
    .await;
}
