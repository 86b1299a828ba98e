//! Checks of peer messages: order, both APIs, offline storage, unreachable peers.

use sigshim::error::PeerMessageError;
use sigshim::{Message, SendMessageOptions};

use super::Target;
use super::assertion::{Assertions, CheckError};
use super::core_user::CoreUser;
use super::legacy_user::LegacyUser;

/// How many messages the ordering check sends.
const BURST: usize = 20;

/// Twenty messages arrive in order, once each, and a reply comes back.
pub(super) async fn core_to_core(t: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let mut a = CoreUser::online(t, &an).await?;
    let mut b = CoreUser::online(t, &bn).await?;
    let texts: Vec<String> = (0..BURST).map(|i| format!("m{i}")).collect();
    let mut refused = Vec::new();
    for text in &texts {
        if let Err(e) = a.send_peer(&bn, text).await {
            refused.push((text.clone(), e));
        }
    }
    out.eq(format!("{BURST} sends received by the peer"), refused, Vec::new());
    let mut got = Vec::new();
    let mut stopped = None;
    while got.len() < BURST {
        match b.recv_peer().await {
            Ok((from, text, _)) if from == an => got.push(text),
            Ok((from, text, _)) => got.push(format!("{text} from {from}")),
            Err(e) => {
                stopped = Some(e);
                break;
            }
        }
    }
    out.eq("they arrive in order, once each", got, texts);
    if let Some(e) = stopped {
        return Err(e);
    }
    b.send_peer(&an, "back").await.map_err(|e| CheckError::call("the reply", e))?;
    out.eq("the reply arrives", a.recv_peer().await?, (bn, "back".into(), false));
    Ok(())
}

/// A legacy user and a core user exchange messages.
pub(super) async fn legacy_and_core(t: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    let (ln, cn) = (format!("{p}-legacy"), format!("{p}-core"));
    let mut l = LegacyUser::online(t, &ln).await?;
    let mut c = CoreUser::online(t, &cn).await?;
    l.send_peer(&cn, "from legacy").await?;
    out.eq(
        "core receives the legacy message",
        c.recv_peer().await?,
        (ln.clone(), "from legacy".into(), false),
    );
    c.send_peer(&ln, "from core").await.map_err(|e| CheckError::call("the core message", e))?;
    out.eq("legacy receives the core message", l.recv_peer().await?, (cn, "from core".into()));
    Ok(())
}

/// A message to an offline user is stored and delivered, marked offline, at its next login.
pub(super) async fn offline_at_next_login(
    t: &Target,
    p: &str,
    out: &mut Assertions,
) -> Result<(), CheckError> {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let a = CoreUser::online(t, &an).await?;
    let r = a.client.send_message_to_peer(&bn, &Message::text("stored"), SendMessageOptions::offline()).await;
    out.eq("a message to an offline user is cached", r.map(drop), Err(PeerMessageError::CachedByServer));
    let mut b = CoreUser::online(t, &bn).await?;
    out.eq("it arrives at the next login, marked offline", b.recv_peer().await?, (an, "stored".into(), true));
    Ok(())
}

/// Without offline caching, a message to an offline user is refused as unreachable.
pub(super) async fn unreachable_without_caching(
    t: &Target,
    p: &str,
    out: &mut Assertions,
) -> Result<(), CheckError> {
    let a = CoreUser::online(t, &format!("{p}-a")).await?;
    let r =
        a.client.send_message_to_peer(&format!("{p}-nobody"), &Message::text("x"), Default::default()).await;
    out.eq("a message to an offline user", r.map(drop), Err(PeerMessageError::PeerUnreachable));
    Ok(())
}
