//! HTTP routes: the WebSocket upgrade, `/healthz` and `/metrics`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::Shared;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(upgrade))
        .route("/ws", get(upgrade))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(shared)
}

async fn upgrade(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> Response {
    if *shared.shutdown.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n").into_response();
    }
    let Some(guard) = shared.admit() else {
        ::metrics::counter!("sigshim_connections_refused_total").increment(1);
        tracing::warn!(max = shared.config.max_connections, "connection refused: server full");
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections\n").into_response();
    };
    let c = &shared.config;
    ws.max_frame_size(c.max_frame_bytes)
        .max_message_size(c.max_frame_bytes)
        .read_buffer_size(c.read_buffer_bytes)
        .write_buffer_size(c.write_buffer_bytes)
        .max_write_buffer_size(c.max_frame_bytes * 4)
        .on_upgrade(move |socket| super::conn::serve(socket, shared, guard, peer))
}

async fn healthz(State(shared): State<Arc<Shared>>) -> Response {
    let stats = shared.hub.stats();
    let body = serde_json::json!({
        "status": "ok",
        "connections": shared.connections.load(std::sync::atomic::Ordering::Acquire),
        "online_users": stats.online_users,
        "parked_sessions": stats.parked_sessions,
    });
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let text = super::render_metrics(&shared.hub, shared.config.prometheus.as_ref());
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
