//! Hardening that only the real server binary shows: `APP_ENV=production` from its environment
//! makes the session cookie `Secure`.

use crate::support::browser::{assert_secure_session_cookie, browser, register_via_page};
use crate::support::process::{Server, fresh_store};

#[tokio::test]
async fn app_env_production_makes_the_real_server_set_a_secure_cookie() {
    let store = fresh_store().await;
    let server = Server::start(&store, &[("APP_ENV", "production")]).await;
    let res = register_via_page(&browser(), &server.base, "real@example.org", &server.base).await;
    assert_eq!(res.status(), 200);
    assert_secure_session_cookie(&res);
}
