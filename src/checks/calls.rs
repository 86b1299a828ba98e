//! Checks of call invitations across the two APIs.

use super::assertion::{Assertions, CheckError};
use super::core_user::CoreUser;
use super::legacy_user::LegacyUser;
use super::{CallNote, Target};

/// A legacy caller invites a core callee with `extra`, the callee accepts with a response, and
/// the caller ends the call: RTM's end-call message reaches the core callee.
pub(super) async fn legacy_to_core_and_end(
    t: &Target,
    p: &str,
    out: &mut Assertions,
) -> Result<(), CheckError> {
    let (ln, cn, channel) = (format!("{p}-caller"), format!("{p}-callee"), format!("{p}-room"));
    let mut l = LegacyUser::online(t, &ln).await?;
    let mut c = CoreUser::online(t, &cn).await?;
    l.invite(&cn, &channel, r#"{"k":1}"#).await?;
    let incoming =
        CallNote::Incoming { from: ln.clone(), channel: channel.clone(), extra: r#"{"k":1}"#.into() };
    if !out.eq("the callee gets the invitation with its extra", c.next_call().await?, incoming) {
        return Ok(());
    }
    let received = CallNote::ReceivedByPeer { peer: cn.clone(), channel: channel.clone() };
    out.eq("the caller learns the callee has it", l.next_call().await?, received);
    c.accept(&ln, &channel, "ok").await?;
    let accepted = CallNote::Accepted { peer: cn.clone(), channel: channel.clone(), extra: "ok".into() };
    out.eq("the caller learns it was accepted, with the response", l.next_call().await?, accepted);
    l.end_call(&cn, &channel).await?;
    out.eq("the callee learns the call ended", c.next_call().await?, CallNote::Ended { peer: ln, channel });
    Ok(())
}
