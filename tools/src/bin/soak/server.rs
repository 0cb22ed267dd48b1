//! The soak's server side: the real router in a process of its own.

use leptos::config::LeptosOptions;
use projitt_meet::infra::{config::Config, db::Db};
use projitt_meet::server;
use projitt_meet::web::state::AppState;
use projitt_meet_tools::harness;

/// The server side: `--serve <addr> <database url> <storage dir>`, until the parent stops it
/// (SIGTERM, or its end of our stdin closed).
pub async fn serve(args: &[String]) -> Result<bool, String> {
    let [addr, database_url, storage] = args else {
        return Err("usage: soak --serve <addr> <database url> <storage dir>".into());
    };
    let db = Db::connect(database_url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let mut config = Config::new(
        database_url.clone(),
        storage,
        b"soak-test-secret-0123456789abcdefghijkl",
    );
    config.jwt_ttl_minutes = 120;
    config.public_url = format!("http://{addr}");
    let options = LeptosOptions::builder()
        .output_name("projitt-meet")
        .site_addr(
            addr.parse::<std::net::SocketAddr>()
                .map_err(|e| e.to_string())?,
        )
        .build();
    let listener = harness::listen(addr).await?;
    server::serve(
        listener,
        AppState::new(options, db, config),
        harness::stop_requested(),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(true)
}
