//! Checks of presence (queries and subscriptions) and of user attributes.

use sigshim::{Attribute, ClientEvent, PeerOnlineState as On};

use super::Target;
use super::assertion::{Assertions, CheckError};
use super::core_user::CoreUser;
use super::legacy_user::LegacyUser;

/// Queries and a subscription follow a peer going online and offline.
pub(super) async fn query_and_subscription(
    t: &Target,
    p: &str,
    out: &mut Assertions,
) -> Result<(), CheckError> {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let mut a = CoreUser::online(t, &an).await?;
    let query = async |a: &CoreUser| {
        let found = a.client.query_peers_online_status(&[&bn]).await;
        let found = found.map_err(|e| CheckError::call(format!("querying the status of {bn}"), e))?;
        Ok::<_, CheckError>(found.into_iter().find(|s| s.peer_id == bn).map(|s| s.state))
    };
    out.eq("query: a user not logged in is offline", query(&a).await?, Some(On::Offline));
    let subscribed = a.client.subscribe_peers_online_status(&[&bn]).await;
    subscribed.map_err(|e| CheckError::call(format!("subscribing to {bn}"), e))?;
    let state = |e: &ClientEvent| match e {
        ClientEvent::PeersOnlineStatusChanged { statuses } => {
            statuses.iter().find(|s| s.peer_id == bn).map(|s| s.state)
        }
        _ => None,
    };
    out.eq("subscription: the current state first", a.wait_event("current state", state).await?, On::Offline);
    let b = CoreUser::online(t, &bn).await?;
    out.eq("subscription: the peer's login", a.wait_event("online", state).await?, On::Online);
    out.eq("query: a logged-in user is online", query(&a).await?, Some(On::Online));
    b.logout().await?;
    out.eq("subscription: the peer's logout", a.wait_event("offline", state).await?, On::Offline);
    Ok(())
}

/// Attributes set by a core user are read by a legacy user, and the other way round.
pub(super) async fn user_attributes(t: &Target, p: &str, out: &mut Assertions) -> Result<(), CheckError> {
    let (an, bn) = (format!("{p}-a"), format!("{p}-b"));
    let a = CoreUser::online(t, &an).await?;
    let mut b = LegacyUser::online(t, &bn).await?;
    let set = a.client.set_local_user_attributes(&[Attribute::new("mood", "busy")]).await;
    set.map_err(|e| CheckError::call("setting a core user's attributes", e))?;
    out.eq("legacy reads the core user's attribute", b.get_user_attr(&an, "mood").await?, Ok("busy".into()));
    b.set_attr("room", "42").await?;
    let got = a.client.get_user_attributes(&bn).await;
    out.eq("core reads the legacy user's attributes", got, Ok(vec![Attribute::new("room", "42")]));
    Ok(())
}
