//! HTTP routes: the WebSocket upgrade, the index page, `/healthz` and `/metrics`, and whatever
//! endpoints were mounted beside them.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::Shared;
use super::edge::Edge;

pub(super) fn router(shared: Arc<Shared>, mounted: Router) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/ws", get(upgrade))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(shared)
        .merge(mounted)
}

/// `/`: the core protocol for a WebSocket upgrade, the index page (if the server has one) for
/// a plain request.
async fn root(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    match (ws, shared.index) {
        (Ok(ws), _) => upgrade(State(shared), ConnectInfo(peer), ws).await,
        (Err(_), Some(page)) => Html(page).into_response(),
        (Err(rejection), None) => rejection.into_response(),
    }
}

async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    let edge = Edge { shared };
    let shared = edge.shared.clone();
    edge.accept(ws, move |socket, admission| super::conn::serve(socket, shared, admission, peer))
}

/// `/healthz`: 200 with the server's figures; 503 while the hub's engine cannot reach its store
/// (a node that cannot reach Redis cannot deliver across nodes nor store offline messages), with
/// `"engine": "unreachable"`. The `engine` field is there only on a hub with an engine.
async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    let hub = &shared.hub;
    let stats = hub.stats();
    let healthy = hub.engine_healthy();
    let mut body = serde_json::json!({
        "status": if healthy { "ok" } else { "unavailable" },
        "app_id": hub.config().app_id,
        "connections": shared.connections.load(std::sync::atomic::Ordering::Acquire),
        "pending_connections": shared.intake.len(),
        "online_users": stats.online_users,
        "parked_sessions": stats.parked_sessions,
    });
    if hub.has_engine() {
        body["engine"] = (if healthy { "ok" } else { "unreachable" }).into();
    }
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let mut text = super::render_metrics(&shared.hub, shared.config.prometheus.as_ref());
    super::metrics::render_intake(&mut text, &shared);
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
