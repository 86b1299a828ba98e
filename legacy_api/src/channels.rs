//! Channels, the legacy way: one channel per instance (unless multi-channel mode is on), the
//! member list and attribute replay on join, per-key attribute callbacks, and the built-in
//! attributes `_userNotification`, `_auto_update_num` / `_member_num` and `_channel_ttl`.
//!
//! Join order: `on_channel_joined` → `on_channel_user_list` (latest members first, at most 200,
//! the joiner always included) → one `on_channel_attr_updated(…, "update")` per existing
//! attribute → only then the channel's events, which waited in its stream meanwhile.
//!
//! The member list (`Channel::get_members`) and the attributes are read right after the core
//! join and before anything is reported. If either read fails (a rate limit, a timeout), the
//! core channel is left again and the join fails with `on_channel_join_failed(channel, 300)`:
//! an application never gets a join with an empty or partial member list. The other members
//! then see the user join and leave.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use sigshim::error::{JoinChannelError, LeaveChannelError};
use sigshim::{Channel, ChannelEvent, ChannelEvents, Client};
use sigshim_mapping::AttrUpdateType;
use sigshim_mapping::translate::{self, LeaveCause};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::Instrument;

use crate::channel_attrs::{attr_diff, to_map};
use crate::dispatcher::Dispatch;
use crate::uid::uid_for;

/// At most this many accounts in `on_channel_user_list` (the legacy limit).
const USER_LIST_MAX: usize = 200;

/// The server-side special channels of the legacy service, which do not exist here.
const SPECIAL_CHANNELS: &[&str] =
    &["_agora_user_online", "__agora_user_online", "_agora_channel_event", "__agora_channel_event"];

/// How many channel events (of all joined channels) wait for the actor at most; a channel's
/// forwarding task waits while the queue is full, and the core's bounded channel stream behind
/// it fills in turn.
const QUEUE: usize = 1024;

/// What the per-channel forwarding task or a timer tells the table.
#[derive(Debug)]
enum ChanMsg {
    Event(ChannelEvent),
    /// A held-back `_member_num` refresh is due.
    MemberNumDue,
}

/// `(channel ID, join generation, message)`: a generation no longer joined is ignored.
pub(crate) struct ChanItem(String, u64, ChanMsg);

/// One joined channel of the instance.
#[derive(Debug)]
struct Joined {
    channel: Channel,
    generation: u64,
    forward: JoinHandle<()>,
    /// The attribute set as last reported to the application.
    attrs: BTreeMap<String, String>,
    /// `_member_num` refresh: last reported count and when, the latest count, a timer pending.
    member_num: Option<(usize, Instant)>,
    latest_count: Option<usize>,
    member_num_timer: bool,
}

impl Drop for Joined {
    fn drop(&mut self) {
        self.forward.abort();
    }
}

impl Joined {
    fn user_events(&self) -> bool {
        self.attrs.get("_userNotification").is_none_or(|v| v.trim() != "0")
    }

    /// The `_auto_update_num` period, when set to a positive number of seconds.
    fn auto_update(&self) -> Option<Duration> {
        let n: u64 = self.attrs.get("_auto_update_num")?.trim().parse().ok()?;
        (n > 0).then(|| Duration::from_secs(n))
    }
}

/// The instance's joined channels, with one queue for all their events.
///
/// Each join gets a new generation; the events and timers of a channel left (or joined again
/// since) carry an old one and are dropped.
pub(crate) struct ChannelTable {
    /// Several channels at once instead of the legacy one.
    multi_channel: bool,
    joined: HashMap<String, Joined>,
    /// Every joined channel's events (and `_member_num` timers), in one queue of [`QUEUE`];
    /// made with the first join, so that instances without channels pay nothing for it.
    queue: Option<(mpsc::Sender<ChanItem>, mpsc::Receiver<ChanItem>)>,
    next_generation: u64,
}

impl ChannelTable {
    /// No channel joined; `multi_channel` as in `SignalingOptions`.
    pub(crate) fn new(multi_channel: bool) -> Self {
        Self { multi_channel, joined: HashMap::new(), queue: None, next_generation: 0 }
    }

    /// The sending side of the event queue, made on first use.
    fn sender(&mut self) -> mpsc::Sender<ChanItem> {
        self.queue.get_or_insert_with(|| mpsc::channel(QUEUE)).0.clone()
    }

    /// The channel handle of a joined channel, for a channel message.
    pub(crate) fn channel(&self, id: &str) -> Option<&Channel> {
        self.joined.get(id).map(|j| &j.channel)
    }

    async fn join_failed(out: &Dispatch, channel_id: String) {
        let code = translate::join_failure(JoinChannelError::Failure).code();
        out.emit(move |c| c.on_channel_join_failed(&channel_id, code)).await;
    }

    /// `channel_join` with the logged-in session's client and account (`None`: not logged in).
    /// See the module documentation for the order of the callbacks and for failures.
    pub(crate) async fn join(
        &mut self,
        out: &Dispatch,
        session: Option<(&Client, &str)>,
        channel_id: String,
    ) {
        let Some((client, account)) = session else {
            return Self::join_failed(out, channel_id).await;
        };
        if SPECIAL_CHANNELS.contains(&channel_id.as_str()) {
            tracing::debug!(%channel_id, "special channels are unsupported");
            return Self::join_failed(out, channel_id).await;
        }
        if self.joined.contains_key(&channel_id) {
            return Self::join_failed(out, channel_id).await;
        }
        if !self.multi_channel {
            let current: Vec<String> = self.joined.keys().cloned().collect();
            for id in current {
                self.leave(out, true, id).await;
            }
        }
        let (channel, events) = client.create_channel(&channel_id);
        let mut result = channel.join().await;
        if result == Err(JoinChannelError::AlreadyJoined) {
            // The facade is not in it, so the core's membership is one the facade gave up while
            // its leave failed (see the undo below): end it, then join afresh.
            tracing::info!(%channel_id, "leaving a membership the instance had given up");
            let _ = channel.leave().await;
            result = channel.join().await;
        }
        if let Err(e) = result {
            let code = translate::join_failure(e).code();
            return out.emit(move |c| c.on_channel_join_failed(&channel_id, code)).await;
        }
        // Everything the join reports is read before any of it is: a list or attribute set that
        // cannot be read undoes the join. The channel's events wait in `events` meanwhile.
        let (members, attrs) = match read_on_join(client, &channel).await {
            Ok(read) => read,
            Err(error) => {
                tracing::info!(%channel_id, %error, "join undone: its member list or attributes could not be read");
                if let Err(e) = channel.leave().await {
                    tracing::warn!(%channel_id, error = %e, "leaving after a failed join refused");
                }
                return Self::join_failed(out, channel_id).await;
            }
        };
        self.next_generation += 1;
        let generation = self.next_generation;
        let forward = forward(channel_id.clone(), generation, events, self.sender());
        let forward = tokio::spawn(forward.in_current_span());
        let id = channel_id.clone();
        out.emit(move |c| c.on_channel_joined(&id)).await;
        let members = user_list(members, account);
        let uids: Vec<u32> = members.iter().map(|m| uid_for(m)).collect();
        out.emit(move |c| c.on_channel_user_list(&members, &uids)).await;
        for (name, value) in attrs.clone() {
            let (id, kind) = (channel_id.clone(), AttrUpdateType::Update.as_str());
            out.emit(move |c| c.on_channel_attr_updated(&id, &name, &value, kind)).await;
        }
        let joined = Joined {
            channel,
            generation,
            forward,
            attrs,
            member_num: None,
            latest_count: None,
            member_num_timer: false,
        };
        self.joined.insert(channel_id, joined);
    }

    /// `channel_leave`: `on_channel_leaved(channel_id, code)`. `logged_in` tells which failure
    /// a channel not joined is.
    pub(crate) async fn leave(&mut self, out: &Dispatch, logged_in: bool, channel_id: String) {
        let Some(joined) = self.joined.remove(&channel_id) else {
            let error =
                if logged_in { LeaveChannelError::NotInChannel } else { LeaveChannelError::NotLoggedIn };
            let code = translate::leave_failure(error).code();
            return out.emit(move |c| c.on_channel_leaved(&channel_id, code)).await;
        };
        let code = match joined.channel.leave().await {
            Ok(()) => translate::leave_reason(LeaveCause::ByUser).code(),
            Err(e) => {
                tracing::debug!(%channel_id, error = %e, "leave refused by the core");
                translate::leave_failure(e).code()
            }
        };
        drop(joined);
        out.emit(move |c| c.on_channel_leaved(&channel_id, code)).await;
    }

    /// Every joined channel is gone with the session: `on_channel_leaved(ch, code)` for each, in
    /// channel ID order.
    pub(crate) async fn lost(&mut self, out: &Dispatch, cause: LeaveCause) {
        let code = translate::leave_reason(cause).code();
        let mut ids: Vec<String> = self.joined.drain().map(|(id, _)| id).collect();
        ids.sort();
        for id in ids {
            out.emit(move |c| c.on_channel_leaved(&id, code)).await;
        }
    }

    /// The members of a joined channel (latest first), for `invoke`; else the `err` text.
    pub(crate) async fn members(&self, channel_id: &str) -> Result<Vec<String>, String> {
        let unsupported = translate::unsupported().code();
        let joined = self
            .joined
            .get(channel_id)
            .ok_or_else(|| format!("{unsupported}: the member list needs membership of the channel"))?;
        joined.channel.get_members().await.map_err(|e| format!("{unsupported}: {e}"))
    }

    /// The next event (or due timer) of a joined channel; never ready while none is queued.
    pub(crate) async fn next_item(&mut self) -> ChanItem {
        match self.queue.as_mut() {
            Some((_, rx)) => match rx.recv().await {
                Some(item) => item,
                // The table holds a sender, so the queue never closes.
                None => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }

    /// Whether a message of channel join `generation` is still current.
    fn current(&self, id: &str, generation: u64) -> bool {
        self.joined.get(id).is_some_and(|j| j.generation == generation)
    }

    /// Reports a channel event as its legacy callbacks (nothing for a channel no longer joined).
    pub(crate) async fn on_item(&mut self, out: &Dispatch, ChanItem(id, generation, msg): ChanItem) {
        if !self.current(&id, generation) {
            return;
        }
        match msg {
            ChanMsg::Event(ChannelEvent::MessageReceived { peer_id, message }) => {
                let text = crate::messages::legacy_text(message);
                let uid = uid_for(&peer_id);
                out.emit(move |c| c.on_message_channel_receive(&id, &peer_id, uid, &text)).await;
            }
            ChanMsg::Event(ChannelEvent::MemberJoined(account)) => {
                if self.joined.get(&id).is_some_and(Joined::user_events) {
                    let uid = uid_for(&account);
                    out.emit(move |c| c.on_channel_user_joined(&account, uid)).await;
                }
            }
            ChanMsg::Event(ChannelEvent::MemberLeft(account)) => {
                if self.joined.get(&id).is_some_and(Joined::user_events) {
                    let uid = uid_for(&account);
                    out.emit(move |c| c.on_channel_user_leaved(&account, uid)).await;
                }
            }
            ChanMsg::Event(ChannelEvent::MemberCountUpdated(n)) => {
                if let Some(j) = self.joined.get_mut(&id) {
                    j.latest_count = Some(n);
                }
                self.refresh_member_num(out, id).await;
            }
            ChanMsg::Event(ChannelEvent::AttributesUpdated { attributes, cleared }) => {
                let new = to_map(attributes);
                let Some(j) = self.joined.get_mut(&id) else { return };
                let changes = attr_diff(&j.attrs, &new, cleared);
                j.attrs = new;
                for (name, value, kind) in changes {
                    let (id, kind) = (id.clone(), kind.as_str());
                    out.emit(move |c| c.on_channel_attr_updated(&id, &name, &value, kind)).await;
                }
                self.refresh_member_num(out, id).await;
            }
            ChanMsg::Event(other) => tracing::debug!(?other, "channel event ignored"),
            ChanMsg::MemberNumDue => {
                if let Some(j) = self.joined.get_mut(&id) {
                    j.member_num_timer = false;
                }
                self.refresh_member_num(out, id).await;
            }
        }
    }

    /// Reports `_member_num` when `_auto_update_num` is on and the count changed, at most once
    /// per period; a change inside the period is reported when it ends.
    async fn refresh_member_num(&mut self, out: &Dispatch, id: String) {
        let Some(j) = self.joined.get_mut(&id) else { return };
        let (Some(period), Some(n)) = (j.auto_update(), j.latest_count) else { return };
        let now = Instant::now();
        match j.member_num {
            Some((last, _)) if last == n => {}
            Some((_, at)) if now.duration_since(at) < period => {
                // The queue exists: it was made with the channel's join.
                let tx = self.queue.as_ref().map(|(tx, _)| tx.clone());
                if let (false, Some(tx)) = (j.member_num_timer, tx) {
                    j.member_num_timer = true;
                    let (generation, id) = (j.generation, id.clone());
                    let due = at + period;
                    let timer = async move {
                        tokio::time::sleep_until(due).await;
                        let _ = tx.send(ChanItem(id, generation, ChanMsg::MemberNumDue)).await;
                    };
                    tokio::spawn(timer.in_current_span());
                }
            }
            _ => {
                j.member_num = Some((n, now));
                let (value, kind) = (n.to_string(), AttrUpdateType::Update.as_str());
                out.emit(move |c| c.on_channel_attr_updated(&id, "_member_num", &value, kind)).await;
            }
        }
    }
}

/// What a join reports besides itself: the member list (latest first) and the attributes.
async fn read_on_join(
    client: &Client,
    channel: &Channel,
) -> Result<(Vec<String>, BTreeMap<String, String>), String> {
    let members = channel.get_members().await.map_err(|e| format!("member list: {e}"))?;
    let attrs =
        client.get_channel_attributes(channel.id()).await.map_err(|e| format!("channel attributes: {e}"))?;
    Ok((members, to_map(attrs)))
}

/// The accounts of `on_channel_user_list`: `members` as the core lists them (latest first), with
/// the joiner `me` always among them, at most [`USER_LIST_MAX`].
fn user_list(mut members: Vec<String>, me: &str) -> Vec<String> {
    match members.iter().position(|m| m == me) {
        Some(i) if i < USER_LIST_MAX => {}
        Some(i) => {
            let me = members.remove(i);
            members.insert(0, me);
        }
        None => members.insert(0, me.to_owned()),
    }
    members.truncate(USER_LIST_MAX);
    members
}

/// Moves a channel's events into the table's queue, tagged with the channel and generation.
async fn forward(id: String, generation: u64, mut events: ChannelEvents, tx: mpsc::Sender<ChanItem>) {
    while let Some(ev) = events.recv().await {
        if tx.send(ChanItem(id.clone(), generation, ChanMsg::Event(ev))).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn the_user_list_always_holds_the_joiner() {
        let listed = vec!["me".to_owned(), "bob".to_owned()];
        assert_eq!(user_list(listed.clone(), "me"), listed, "as the core lists it");
        assert_eq!(user_list(vec!["bob".to_owned()], "me"), ["me", "bob"], "added when missing");
        let long = user_list(names(0..300), "u250");
        assert_eq!((long.len(), long[0].as_str()), (USER_LIST_MAX, "u250"), "moved into the first 200");
        assert_eq!(long[1..], names(0..USER_LIST_MAX - 1)[..]);
        let missing = user_list(names(0..300), "me");
        assert_eq!(
            (missing.len(), missing[0].as_str(), missing[199].as_str()),
            (USER_LIST_MAX, "me", "u198")
        );
    }
}
