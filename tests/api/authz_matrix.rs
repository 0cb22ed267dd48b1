//! The authorization matrix: every meeting-, invitation- and recording-scoped endpoint, called by
//! each kind of caller, answers the status the contract gives that caller.
//!
//! The fixture is a meeting whose invitees have answered in every way, with the owner and one
//! accepted invitee present. `On::Started` has one finished recording, `On::Recording` also a
//! running one, and `On::Scheduled` has not started. A row marked `Fresh` changes state, so each
//! of its cells gets a meeting of its own; `Shared` rows use one meeting for all their cells.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::app::{TestApp, TestUser, spawn};

/// The callers, in the order of each row's expected statuses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    Stranger,
    PendingInvitee,
    RejectedInvitee,
    ProposingInvitee,
    AcceptedNotPresent,
    PresentParticipant,
    Owner,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::Stranger,
    Caller::PendingInvitee,
    Caller::RejectedInvitee,
    Caller::ProposingInvitee,
    Caller::AcceptedNotPresent,
    Caller::PresentParticipant,
    Caller::Owner,
];

#[derive(Clone, Copy, PartialEq)]
enum On {
    Scheduled,
    Started,
    Recording,
}

#[derive(Clone, Copy, PartialEq)]
enum Cells {
    Shared,
    Fresh,
}

/// What a row sends as its body; `ToOtherPresent` is a signal to the other present person.
#[derive(Clone, Copy)]
enum Body {
    None,
    Json(fn() -> Value),
    ToOtherPresent,
}

struct Row {
    method: Method,
    /// `{m}` the meeting, `{i}` the proposing invitee's invitation, `{r}` the finished recording.
    path: &'static str,
    body: Body,
    on: On,
    cells: Cells,
    /// anonymous, stranger, pending, rejected, proposing, accepted (not present), present, owner
    expect: [u16; 8],
}

fn row(
    method: Method,
    path: &'static str,
    body: Body,
    on: On,
    cells: Cells,
    expect: [u16; 8],
) -> Row {
    Row {
        method,
        path,
        body,
        on,
        cells,
        expect,
    }
}

use Cells::{Fresh, Shared};
use On::{Recording, Scheduled, Started};

const GET: Method = Method::GET;
const POST: Method = Method::POST;
const PUT: Method = Method::PUT;
const DELETE: Method = Method::DELETE;

fn meeting_rows() -> Vec<Row> {
    let none = Body::None;
    #[rustfmt::skip]
    let rows = vec![
        //                                                                        anon str  pend rej  prop acc  pres own
        row(GET,  "/api/meetings/{m}",                   none,                    Started,   Shared, [401, 404, 200, 200, 200, 200, 200, 200]),
        row(PUT,  "/api/meetings/{m}",                   Body::Json(rename),      Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/meetings/{m}/start",             none,                    Scheduled, Fresh,  [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/meetings/{m}/end",               none,                    Started,   Fresh,  [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/meetings/{m}/cancel",            none,                    Scheduled, Fresh,  [401, 404, 403, 403, 403, 403, 403, 200]),
        row(GET,  "/api/meetings/{m}/calendar.ics",      none,                    Started,   Shared, [401, 404, 200, 200, 200, 200, 200, 200]),
        row(POST, "/api/meetings/{m}/invite",            Body::Json(newcomer),    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 201]),
        row(GET,  "/api/meetings/{m}/invitations",       none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/meetings/{m}/presence/join",     none,                    Started,   Fresh,  [401, 404, 403, 403, 403, 201, 200, 200]),
        row(POST, "/api/meetings/{m}/presence/leave",    none,                    Started,   Fresh,  [401, 404, 409, 409, 409, 409, 200, 200]),
        row(GET,  "/api/meetings/{m}/participants",      none,                    Started,   Shared, [401, 404, 403, 403, 403, 200, 200, 200]),
        row(GET,  "/api/meetings/{m}/rtc/config",        none,                    Started,   Shared, [401, 404, 403, 403, 403, 200, 200, 200]),
        row(POST, "/api/meetings/{m}/rtc/send",          Body::ToOtherPresent,    Started,   Shared, [401, 404, 403, 403, 403, 403, 201, 201]),
        row(GET,  "/api/meetings/{m}/rtc/inbox",         none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 200, 200]),
        row(POST, "/api/meetings/{m}/rtc/ack",           Body::Json(no_ids),      Started,   Shared, [401, 404, 403, 403, 403, 403, 200, 200]),
        row(GET,  "/api/meetings/{m}/recordings",        none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/meetings/{m}/recordings/start",  none,                    Started,   Fresh,  [401, 404, 403, 403, 403, 403, 403, 201]),
        row(POST, "/api/meetings/{m}/recordings/end",    none,                    Recording, Fresh,  [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/meetings/{m}/notes",             none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 201]),
        row(GET,  "/api/meetings/{m}/notes",             none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 200]),
        // A bad query is no reason to tell a stranger that the meeting exists.
        row(GET,  "/api/meetings/{m}/rtc/inbox?since_id=abc",     none,           Started,   Shared, [401, 404, 403, 403, 403, 403, 422, 422]),
        row(GET,  "/api/meetings/{m}/rtc/inbox?limit=0",          none,           Started,   Shared, [401, 404, 403, 403, 403, 403, 422, 422]),
        row(GET,  "/api/meetings/{m}/participants?active=maybe",  none,           Started,   Shared, [401, 404, 422, 422, 422, 422, 422, 422]),
        row(GET,  "/api/meetings/{m}/recordings?page=abc",        none,           Started,   Shared, [401, 404, 422, 422, 422, 422, 422, 422]),
        row(GET,  "/api/meetings/{m}/recordings?per_page=0",      none,           Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 422]),
    ];
    rows
}

fn invitation_rows() -> Vec<Row> {
    let none = Body::None;
    #[rustfmt::skip]
    let rows = vec![
        //                                                                        anon str  pend rej  prop acc  pres own
        row(POST, "/api/invitations/{i}/accept",           none,                  Started,   Fresh,  [401, 404, 403, 403, 200, 403, 403, 403]),
        row(POST, "/api/invitations/{i}/reject",           none,                  Started,   Fresh,  [401, 404, 403, 403, 200, 403, 403, 403]),
        row(POST, "/api/invitations/{i}/propose",          Body::Json(tomorrow),  Started,   Fresh,  [401, 404, 403, 403, 200, 403, 403, 403]),
        row(POST, "/api/invitations/{i}/proposal/accept",  none,                  Scheduled, Fresh,  [401, 404, 403, 403, 403, 403, 403, 200]),
        row(POST, "/api/invitations/{i}/proposal/decline", none,                  Started,   Fresh,  [401, 404, 403, 403, 403, 403, 403, 200]),
        row(DELETE, "/api/invitations/{i}",               none,                  Started,   Fresh,  [401, 404, 403, 403, 403, 403, 403, 204]),
    ];
    rows
}

fn recording_rows() -> Vec<Row> {
    let none = Body::None;
    #[rustfmt::skip]
    let rows = vec![
        //                                                                        anon str  pend rej  prop acc  pres own
        row(GET,  "/api/recordings/{r}",                 none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 200]),
        row(GET,  "/api/recordings/{r}/download",        none,                    Started,   Shared, [401, 404, 403, 403, 403, 403, 403, 200]),
    ];
    rows
}

fn rename() -> Value {
    json!({"title": "Renamed"})
}

fn newcomer() -> Value {
    json!({"invitee_email": "newcomer@example.org"})
}

fn no_ids() -> Value {
    json!({"ids": []})
}

fn tomorrow() -> Value {
    let at = chrono::Utc::now() + chrono::Duration::days(1);
    json!({"proposed_time": at.to_rfc3339(), "comment": "Later?"})
}

/// The people of the matrix; the same accounts serve every meeting.
struct Cast {
    owner: TestUser,
    stranger: TestUser,
    pending: TestUser,
    rejected: TestUser,
    proposing: TestUser,
    accepted: TestUser,
    present: TestUser,
}

impl Cast {
    async fn register(app: &TestApp) -> Cast {
        Cast {
            owner: app.register("Owner").await,
            stranger: app.register("Stranger").await,
            pending: app.register("Pending").await,
            rejected: app.register("Rejected").await,
            proposing: app.register("Proposing").await,
            accepted: app.register("Accepted").await,
            present: app.register("Present").await,
        }
    }

    fn user(&self, caller: Caller) -> Option<&TestUser> {
        match caller {
            Caller::Anonymous => None,
            Caller::Stranger => Some(&self.stranger),
            Caller::PendingInvitee => Some(&self.pending),
            Caller::RejectedInvitee => Some(&self.rejected),
            Caller::ProposingInvitee => Some(&self.proposing),
            Caller::AcceptedNotPresent => Some(&self.accepted),
            Caller::PresentParticipant => Some(&self.present),
            Caller::Owner => Some(&self.owner),
        }
    }
}

/// One meeting in a given state, and the ids a row's path can name.
struct Fixture {
    meeting: i64,
    proposal: i64,
    recording: Option<i64>,
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if !body.is_null() {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let json = res.json().await.unwrap_or(Value::Null);
    (status, json)
}

/// A setup step that must succeed.
async fn step(app: &TestApp, path: &str, user: &TestUser, body: Value) -> Value {
    let (status, json) = call(app, POST, path, Some(&user.token), body).await;
    assert!(
        StatusCode::from_u16(status).unwrap().is_success(),
        "setup POST {path} answered {status}: {json}"
    );
    json
}

async fn fixture(app: &TestApp, cast: &Cast, on: On) -> Fixture {
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let created = step(
        app,
        "/api/meetings",
        &cast.owner,
        json!({"title": "Matrix", "scheduled_at": at, "duration_minutes": 30}),
    )
    .await;
    let m = created["meeting"]["id"].as_i64().expect("meeting id");
    let invitation = |user: &TestUser| {
        let body = json!({"invitee_user_id": user.id});
        async move {
            step(app, &format!("/api/meetings/{m}/invite"), &cast.owner, body).await["id"]
                .as_i64()
                .expect("invitation id")
        }
    };
    invitation(&cast.pending).await;
    let rejected = invitation(&cast.rejected).await;
    let proposal = invitation(&cast.proposing).await;
    let accepted = invitation(&cast.accepted).await;
    let present = invitation(&cast.present).await;
    step(
        app,
        &format!("/api/invitations/{rejected}/reject"),
        &cast.rejected,
        json!({}),
    )
    .await;
    step(
        app,
        &format!("/api/invitations/{proposal}/propose"),
        &cast.proposing,
        tomorrow(),
    )
    .await;
    step(
        app,
        &format!("/api/invitations/{accepted}/accept"),
        &cast.accepted,
        json!({}),
    )
    .await;
    step(
        app,
        &format!("/api/invitations/{present}/accept"),
        &cast.present,
        json!({}),
    )
    .await;
    step(
        app,
        &format!("/api/meetings/{m}/presence/join"),
        &cast.owner,
        json!({}),
    )
    .await;
    step(
        app,
        &format!("/api/meetings/{m}/presence/join"),
        &cast.present,
        json!({}),
    )
    .await;

    let mut recording = None;
    if on != On::Scheduled {
        step(
            app,
            &format!("/api/meetings/{m}/start"),
            &cast.owner,
            json!({}),
        )
        .await;
        let started = step(
            app,
            &format!("/api/meetings/{m}/recordings/start"),
            &cast.owner,
            json!({}),
        )
        .await;
        recording = started["id"].as_i64();
        step(
            app,
            &format!("/api/meetings/{m}/recordings/end"),
            &cast.owner,
            json!({}),
        )
        .await;
    }
    if on == On::Recording {
        step(
            app,
            &format!("/api/meetings/{m}/recordings/start"),
            &cast.owner,
            json!({}),
        )
        .await;
    }
    Fixture {
        meeting: m,
        proposal,
        recording,
    }
}

fn fill(path: &str, fx: &Fixture) -> String {
    let recording = fx.recording.map(|r| r.to_string()).unwrap_or_default();
    path.replace("{m}", &fx.meeting.to_string())
        .replace("{i}", &fx.proposal.to_string())
        .replace("{r}", &recording)
}

fn body_for(body: Body, cast: &Cast, caller: Caller) -> Value {
    match body {
        Body::None => Value::Null,
        Body::Json(make) => make(),
        Body::ToOtherPresent => {
            let to = if caller == Caller::Owner {
                cast.present.id
            } else {
                cast.owner.id
            };
            json!({"to_user_id": to, "type": "offer", "payload": {"sdp": "v=0"}})
        }
    }
}

/// Calls every cell of `rows` and fails once, listing every cell that differs from the table.
async fn check(rows: Vec<Row>) {
    let app = spawn().await;
    let cast = Cast::register(&app).await;
    let mut mismatches = Vec::new();
    for row in &rows {
        let shared = match row.cells {
            Shared => Some(fixture(&app, &cast, row.on).await),
            Fresh => None,
        };
        for (caller, expected) in CALLERS.iter().zip(row.expect) {
            let own;
            let fx = match &shared {
                Some(fx) => fx,
                None => {
                    own = fixture(&app, &cast, row.on).await;
                    &own
                }
            };
            let path = fill(row.path, fx);
            let token = cast.user(*caller).map(|u| u.token.as_str());
            let body = body_for(row.body, &cast, *caller);
            let (status, json) = call(&app, row.method.clone(), &path, token, body).await;
            if status != expected {
                mismatches.push(format!(
                    "{} {} as {caller:?}: expected {expected}, got {status} {json}",
                    row.method, row.path
                ));
            } else if status >= 400 && !json["error"].is_string() {
                mismatches.push(format!(
                    "{} {} as {caller:?}: {status} without an error body: {json}",
                    row.method, row.path
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn meeting_scoped_endpoints_answer_each_caller_as_the_contract_says() {
    check(meeting_rows()).await;
}

#[tokio::test]
async fn invitation_scoped_endpoints_answer_each_caller_as_the_contract_says() {
    check(invitation_rows()).await;
}

#[tokio::test]
async fn recording_scoped_endpoints_answer_each_caller_as_the_contract_says() {
    check(recording_rows()).await;
}

/// Every path of the API document that names an id has a row, so a new scoped endpoint
/// cannot go untested by this matrix.
#[tokio::test]
async fn matrix_covers_every_scoped_path_of_the_api() {
    let app = spawn().await;
    let (status, doc) = call(&app, GET, "/api/openapi.json", None, Value::Null).await;
    assert_eq!(status, 200);
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch"] {
            if path.contains("{id}") && item.get(method).is_some() {
                documented.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let mut covered: Vec<String> = meeting_rows()
        .iter()
        .chain(invitation_rows().iter())
        .chain(recording_rows().iter())
        .map(|r| {
            let path = ["{m}", "{i}", "{r}"]
                .iter()
                .fold(r.path.to_string(), |p, id| p.replace(id, "{id}"));
            let path = path.split('?').next().unwrap_or_default();
            format!("{} {path}", r.method)
        })
        .collect();
    documented.sort();
    covered.sort();
    covered.dedup();
    assert_eq!(covered, documented);
}
