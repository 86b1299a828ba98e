//! Channels, the legacy way: one channel per instance (unless multi-channel mode is on), the
//! member list and attribute replay on join, per-key attribute callbacks, and the built-in
//! attributes `_userNotification`, `_auto_update_num` / `_member_num` and `_channel_ttl`.
//!
//! Join order: `on_channel_joined` → `on_channel_user_list` (from `Channel::get_members` right
//! after the join: latest members first, at most 200, the joiner included) → one
//! `on_channel_attr_updated(…, "update")` per existing attribute → only then the channel's events,
//! which waited in its stream meanwhile.

use std::collections::BTreeMap;
use std::time::Duration;

use sigshim::error::ChannelMessageError;
use sigshim::{Attribute, Channel, ChannelAttributeOptions, ChannelEvent, ChannelEvents, Message};
use sigshim_mapping::translate::{self, LeaveCause};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::actor::Actor;
use crate::channel_attrs::{attr_diff, to_map};
use crate::sends::SendResult;
use crate::uid::uid_for;

/// At most this many accounts in `on_channel_user_list` (the legacy limit).
const USER_LIST_MAX: usize = 200;

/// The server-side special channels of the legacy service, which do not exist here.
const SPECIAL_CHANNELS: &[&str] =
    &["_agora_user_online", "__agora_user_online", "_agora_channel_event", "__agora_channel_event"];

/// What the per-channel forwarding task or a timer tells the actor.
#[derive(Debug)]
pub(crate) enum ChanMsg {
    Event(ChannelEvent),
    /// A held-back `_member_num` refresh is due.
    MemberNumDue,
}

/// `(channel ID, join generation, message)`: a generation no longer joined is ignored.
pub(crate) type ChanItem = (String, u64, ChanMsg);

/// A channel attribute operation of the legacy API.
#[derive(Debug)]
pub(crate) enum AttrOp {
    Set { name: String, value: String },
    Del { name: String },
    Clear,
}

impl AttrOp {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            AttrOp::Set { .. } => "channel_set_attr",
            AttrOp::Del { .. } => "channel_del_attr",
            AttrOp::Clear => "channel_clear_attr",
        }
    }
}

/// One joined channel of the instance.
#[derive(Debug)]
pub(crate) struct Joined {
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

const NOTIFY: ChannelAttributeOptions =
    ChannelAttributeOptions { enable_notification_to_channel_members: true };

impl Actor {
    /// Whether a message of channel join `generation` is still current.
    pub(crate) fn channel_current(&self, id: &str, generation: u64) -> bool {
        self.channels.get(id).is_some_and(|j| j.generation == generation)
    }

    async fn join_failed(&self, channel_id: String) {
        let code = translate::join_failure(sigshim::error::JoinChannelError::Failure).code();
        self.cb(move |c| c.on_channel_join_failed(&channel_id, code)).await;
    }

    pub(crate) async fn channel_join(&mut self, channel_id: String) {
        let Some((client, _)) = self.logged_in() else {
            return self.join_failed(channel_id).await;
        };
        if SPECIAL_CHANNELS.contains(&channel_id.as_str()) {
            tracing::debug!(%channel_id, "special channels are unsupported");
            return self.join_failed(channel_id).await;
        }
        if self.channels.contains_key(&channel_id) {
            return self.join_failed(channel_id).await;
        }
        if !self.options.multi_channel {
            let current: Vec<String> = self.channels.keys().cloned().collect();
            for id in current {
                self.channel_leave(id).await;
            }
        }
        let (channel, events) = client.create_channel(&channel_id);
        if let Err(e) = channel.join().await {
            let code = translate::join_failure(e).code();
            return self.cb(move |c| c.on_channel_join_failed(&channel_id, code)).await;
        }
        self.next_channel_gen += 1;
        let generation = self.next_channel_gen;
        let forward = tokio::spawn(forward(channel_id.clone(), generation, events, self.chan_tx.clone()));
        let id = channel_id.clone();
        self.cb(move |c| c.on_channel_joined(&id)).await;
        let mut members = channel.get_members().await.unwrap_or_else(|e| {
            tracing::warn!(%channel_id, error = %e, "member list after join failed");
            Vec::new()
        });
        members.truncate(USER_LIST_MAX);
        let uids: Vec<u32> = members.iter().map(|m| uid_for(m)).collect();
        self.cb(move |c| c.on_channel_user_list(&members, &uids)).await;
        let attrs = client.get_channel_attributes(&channel_id).await.map(to_map).unwrap_or_else(|e| {
            tracing::warn!(%channel_id, error = %e, "channel attributes after join failed");
            BTreeMap::new()
        });
        for (name, value) in attrs.clone() {
            let id = channel_id.clone();
            self.cb(move |c| c.on_channel_attr_updated(&id, &name, &value, "update")).await;
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
        self.channels.insert(channel_id, joined);
    }

    pub(crate) async fn channel_leave(&mut self, channel_id: String) {
        let Some(joined) = self.channels.remove(&channel_id) else {
            let error = if self.logged_in().is_some() {
                sigshim::error::LeaveChannelError::NotInChannel
            } else {
                sigshim::error::LeaveChannelError::NotLoggedIn
            };
            let code = translate::leave_failure(error).code();
            return self.cb(move |c| c.on_channel_leaved(&channel_id, code)).await;
        };
        let code = match joined.channel.leave().await {
            Ok(()) => translate::leave_reason(LeaveCause::ByUser).code(),
            Err(e) => {
                tracing::debug!(%channel_id, error = %e, "leave refused by the core");
                translate::leave_failure(e).code()
            }
        };
        drop(joined);
        self.cb(move |c| c.on_channel_leaved(&channel_id, code)).await;
    }

    /// Every joined channel is gone with the session: `on_channel_leaved(ch, code)` for each.
    pub(crate) async fn channels_lost(&mut self, cause: LeaveCause) {
        let code = translate::leave_reason(cause).code();
        let mut ids: Vec<String> = self.channels.drain().map(|(id, _)| id).collect();
        ids.sort();
        for id in ids {
            self.cb(move |c| c.on_channel_leaved(&id, code)).await;
        }
    }

    /// `message_channel_send[_force]`: puts the message on the link and leaves its result in
    /// flight (see [`crate::sends`]).
    pub(crate) async fn channel_send(
        &mut self,
        channel_id: String,
        msg: String,
        msg_id: String,
        force: bool,
    ) {
        let msg_id = if msg_id.is_empty() { self.fresh_msg_id() } else { msg_id };
        let Some((client, _)) = self.logged_in() else {
            return self.send_failed(msg_id, translate::not_logged_in().code()).await;
        };
        // The normal send needs the channel joined now; the force send needs no membership.
        let channel = if force {
            None
        } else if let Some(j) = self.channels.get(&channel_id) {
            Some(j.channel.clone())
        } else {
            let code = translate::channel_send_failure(ChannelMessageError::NotInChannel).code();
            return self.send_failed(msg_id, code).await;
        };
        let message = Message::text(msg);
        self.start_send(async move {
            let result = match channel {
                Some(channel) => channel.send_message(&message).await,
                None => client.publish_to_channel(&channel_id, &message).await,
            };
            match result {
                Ok(()) => SendResult::ok(msg_id),
                Err(e) => SendResult::failed(msg_id, translate::channel_send_failure(e).code()),
            }
        })
        .await;
    }

    /// The member count of a channel, or the legacy code (500, 501) of the failure.
    pub(crate) async fn member_count(&self, channel_id: &str) -> Result<usize, i32> {
        let Some((client, _)) = self.logged_in() else {
            return Err(translate::member_count_failure(
                sigshim::error::ChannelMemberCountError::NotLoggedIn,
            )
            .code());
        };
        match client.get_channel_member_count(&[channel_id]).await {
            Ok(counts) => Ok(counts.first().map_or(0, |c| c.count)),
            Err(e) => Err(translate::member_count_failure(e).code()),
        }
    }

    pub(crate) async fn channel_query_user_num(&self, channel_id: String) {
        let (code, num) = match self.member_count(&channel_id).await {
            Ok(n) => (0, i32::try_from(n).unwrap_or(i32::MAX)),
            Err(code) => (code, 0),
        };
        self.cb(move |c| c.on_channel_query_user_num_result(&channel_id, code, num)).await;
    }

    /// Whether `account` is in the channel, or the legacy code of the failure.
    pub(crate) async fn user_is_in(
        &self,
        op: &'static str,
        channel_id: &str,
        account: &str,
    ) -> Result<bool, i32> {
        let Some((client, _)) = self.require_login(op).await else {
            return Err(translate::not_logged_in().code());
        };
        client
            .is_channel_member(channel_id, account)
            .await
            .map_err(|e| translate::member_count_failure(e).code())
    }

    pub(crate) async fn channel_query_user_is_in(&self, channel_id: String, account: String) {
        const OP: &str = "channel_query_user_is_in";
        match self.user_is_in(OP, &channel_id, &account).await {
            Ok(is_in) => {
                let is_in = i32::from(is_in);
                self.cb(move |c| c.on_channel_query_user_is_in(&channel_id, &account, is_in)).await
            }
            Err(code) if code == translate::not_logged_in().code() => {}
            Err(code) => self.cb(move |c| c.on_error(OP, code, "membership query failed")).await,
        }
    }

    /// Runs a channel attribute operation (always notifying the members).
    pub(crate) async fn write_channel_attr(&self, channel_id: &str, op: &AttrOp) -> Result<(), i32> {
        let Some((client, _)) = self.require_login(op.name()).await else {
            return Err(translate::not_logged_in().code());
        };
        let result = match op {
            AttrOp::Set { name, value } => {
                client
                    .add_or_update_channel_attributes(channel_id, &[Attribute::new(name, value)], NOTIFY)
                    .await
            }
            AttrOp::Del { name } => {
                client.delete_channel_attributes_by_keys(channel_id, &[name], NOTIFY).await
            }
            AttrOp::Clear => client.clear_channel_attributes(channel_id, NOTIFY).await,
        };
        result.map_err(|e| translate::attribute_failure(e).code())
    }

    pub(crate) async fn channel_attr(&self, channel_id: String, op: AttrOp) {
        if let Err(code) = self.write_channel_attr(&channel_id, &op).await {
            if code != translate::not_logged_in().code() {
                let name = op.name();
                self.cb(move |c| c.on_error(name, code, "channel attribute update failed")).await;
            }
        }
    }

    /// The members of a joined channel (latest first), for `invoke`.
    pub(crate) async fn channel_members(&self, channel_id: &str) -> Result<Vec<String>, String> {
        let joined = self.channels.get(channel_id).ok_or_else(|| {
            format!("{}: the member list needs membership of the channel", translate::unsupported().code())
        })?;
        joined.channel.get_members().await.map_err(|e| format!("{}: {e}", translate::unsupported().code()))
    }

    pub(crate) async fn on_channel_item(&mut self, (id, generation, msg): ChanItem) {
        if !self.channel_current(&id, generation) {
            return;
        }
        match msg {
            ChanMsg::Event(ChannelEvent::MessageReceived { peer_id, message }) => {
                let text = crate::messages::legacy_text(message);
                let uid = uid_for(&peer_id);
                self.cb(move |c| c.on_message_channel_receive(&id, &peer_id, uid, &text)).await;
            }
            ChanMsg::Event(ChannelEvent::MemberJoined(account)) => {
                if self.channels.get(&id).is_some_and(Joined::user_events) {
                    let uid = uid_for(&account);
                    self.cb(move |c| c.on_channel_user_joined(&account, uid)).await;
                }
            }
            ChanMsg::Event(ChannelEvent::MemberLeft(account)) => {
                if self.channels.get(&id).is_some_and(Joined::user_events) {
                    let uid = uid_for(&account);
                    self.cb(move |c| c.on_channel_user_leaved(&account, uid)).await;
                }
            }
            ChanMsg::Event(ChannelEvent::MemberCountUpdated(n)) => {
                if let Some(j) = self.channels.get_mut(&id) {
                    j.latest_count = Some(n);
                }
                self.refresh_member_num(id).await;
            }
            ChanMsg::Event(ChannelEvent::AttributesUpdated(attrs)) => {
                let new = to_map(attrs);
                let Some(j) = self.channels.get_mut(&id) else { return };
                let changes = attr_diff(&j.attrs, &new);
                j.attrs = new;
                for (name, value, kind) in changes {
                    let id = id.clone();
                    self.cb(move |c| c.on_channel_attr_updated(&id, &name, &value, kind)).await;
                }
                self.refresh_member_num(id).await;
            }
            ChanMsg::Event(other) => tracing::debug!(?other, "channel event ignored"),
            ChanMsg::MemberNumDue => {
                if let Some(j) = self.channels.get_mut(&id) {
                    j.member_num_timer = false;
                }
                self.refresh_member_num(id).await;
            }
        }
    }

    /// Reports `_member_num` when `_auto_update_num` is on and the count changed, at most once
    /// per period; a change inside the period is reported when it ends.
    async fn refresh_member_num(&mut self, id: String) {
        let Some(j) = self.channels.get_mut(&id) else { return };
        let (Some(period), Some(n)) = (j.auto_update(), j.latest_count) else { return };
        let now = Instant::now();
        match j.member_num {
            Some((last, _)) if last == n => {}
            Some((_, at)) if now.duration_since(at) < period => {
                if !j.member_num_timer {
                    j.member_num_timer = true;
                    let (tx, generation, id) = (self.chan_tx.clone(), j.generation, id.clone());
                    let due = at + period;
                    tokio::spawn(async move {
                        tokio::time::sleep_until(due).await;
                        let _ = tx.send((id, generation, ChanMsg::MemberNumDue)).await;
                    });
                }
            }
            _ => {
                j.member_num = Some((n, now));
                let value = n.to_string();
                self.cb(move |c| c.on_channel_attr_updated(&id, "_member_num", &value, "update")).await;
            }
        }
    }
}

/// Moves a channel's events into the actor's queue, tagged with the channel and generation.
async fn forward(id: String, generation: u64, mut events: ChannelEvents, tx: mpsc::Sender<ChanItem>) {
    while let Some(ev) = events.recv().await {
        if tx.send((id.clone(), generation, ChanMsg::Event(ev))).await.is_err() {
            return;
        }
    }
}
