//! What `sigshim serve` shows a browser: the drop-in `AgoraSig.js` at `/sdk/AgoraSig.js`, the
//! demo page built on it at `/`, and the legacy session endpoint the script talks to.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use sigshim::server::{Edge, ServerBuilder};

/// Where the drop-in script is served.
pub(crate) const SCRIPT_PATH: &str = "/sdk/AgoraSig.js";

/// The drop-in script (clients/web/AgoraSig.js).
const SCRIPT: &str = include_str!("../clients/web/AgoraSig.js");

/// Its type definitions (clients/web/AgoraSig.d.ts).
const TYPES: &str = include_str!("../clients/web/AgoraSig.d.ts");

/// The demo page (clients/web/demo/index.html).
const INDEX: &str = include_str!("../clients/web/demo/index.html");

/// Adds the legacy endpoint, the script and the demo page to a server.
pub(crate) fn mount(builder: ServerBuilder) -> ServerBuilder {
    builder.index(INDEX).mount(sigshim_legacy::endpoint::routes).mount(scripts)
}

fn scripts(_edge: Edge) -> Router {
    Router::new()
        .route(
            SCRIPT_PATH,
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    SCRIPT,
                )
                    .into_response()
            }),
        )
        // Browsers ask for it on every page: nothing to show, and no error in their consoles.
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .route(
            "/sdk/AgoraSig.d.ts",
            get(|| async { ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], TYPES).into_response() }),
        )
}
