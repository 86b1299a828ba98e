//! Checks of sessions: reaching the server, the connection states, a second login of the same
//! user, and refused input.

use sigshim::error::{LoginError, PeerMessageError};
use sigshim::{ConnectionChangeReason as R, ConnectionState as S, Message};

use super::assertion::{Assertion, Assertions, CheckError};
use super::core_user::CoreUser;
use super::{Target, WAIT};

/// A WebSocket opens at the URL (the other checks need it).
pub(super) async fn server_reachable(t: &Target, out: &mut Assertions) -> Result<(), CheckError> {
    let what = format!("opening a WebSocket to {}", t.url);
    match tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(t.url.as_str())).await {
        Ok(Ok((mut ws, _))) => {
            // The server closes an idle socket that never says hello; closing first is polite.
            let _ = ws.close(None).await;
            out.push(Assertion::passed("a WebSocket opens at the URL"));
            Ok(())
        }
        Ok(Err(e)) => Err(CheckError::call(what, e)),
        Err(_) => {
            Err(CheckError::Timeout { what: format!("WebSocket handshake with {}", t.url), after: WAIT })
        }
    }
}

/// CONNECTING then CONNECTED at login, DISCONNECTED at logout, each with its reason.
pub(super) async fn login_logout_states(t: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    let mut a = CoreUser::online(t, &format!("{p}-a")).await?;
    out.eq("first state CONNECTING (LOGIN)", a.next_state("CONNECTING").await?, (S::Connecting, R::Login));
    let connected = a.next_state("CONNECTED").await?;
    out.eq("then CONNECTED (LOGIN_SUCCESS)", connected, (S::Connected, R::LoginSuccess));
    a.logout().await?;
    let disconnected = a.next_state("DISCONNECTED").await?;
    out.eq("after logout DISCONNECTED (LOGOUT)", disconnected, (S::Disconnected, R::Logout));
    Ok(())
}

/// A second login of the same user aborts the first session with REMOTE_LOGIN.
pub(super) async fn remote_login(t: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    let user = format!("{p}-a");
    let mut first = CoreUser::online(t, &user).await?;
    let _second = CoreUser::online(t, &user).await?;
    out.eq("the first session is ABORTED with REMOTE_LOGIN", first.aborted().await?, R::RemoteLogin);
    Ok(())
}

/// An invalid user ID, an oversized message and an invalid peer ID are refused with their codes.
pub(super) async fn bad_input_refused(t: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    let bad = CoreUser::new(t, "null");
    let login = tokio::time::timeout(WAIT, bad.client.login(None, "null")).await;
    let login =
        login.map_err(|_| CheckError::Timeout { what: "result of the login of null".into(), after: WAIT })?;
    out.eq("login as \"null\"", login.map_err(|e| e.kind()), Err(LoginError::InvalidArgument));
    let a = CoreUser::online(t, &format!("{p}-a")).await?;
    let big = "x".repeat(32 * 1024 + 1);
    out.eq(
        "a message over 32 KiB",
        a.send_peer(&format!("{p}-b"), &big).await,
        Err(PeerMessageError::InvalidMessage),
    );
    let r = a.client.send_message_to_peer("bad/id", &Message::text("x"), Default::default()).await;
    out.eq("a message to \"bad/id\"", r.map(drop), Err(PeerMessageError::InvalidUserId));
    Ok(())
}
