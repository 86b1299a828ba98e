//! The task behind one legacy instance: it takes the instance's calls in order and the core's
//! events as they come, and routes each to the part of the instance that owns it:
//!
//! | part | owns |
//! |---|---|
//! | [`Session`] | login, logout, reconnects, `fd`, account, login status |
//! | [`ChannelTable`] | joined channels, their event queue and join generations |
//! | [`CallTable`] | app-to-app invitations and calls |
//! | [`PhoneCalls`] | phone calls through the gateway and its reports |
//! | [`SendQueue`] | peer and channel messages in flight, message IDs |
//! | [`Hold`] | calls made while the session reconnects |
//!
//! The parts never reach into each other; what one needs from another (the session's client,
//! whether it is logged in) the actor passes as an argument. Each reports through the
//! instance's [`Dispatch`], so the order in which the actor calls them is the order of the
//! callbacks. Message sends overlap (see [`crate::sends`]); every other call first waits for the
//! sends in flight, then runs to its end before the next one starts. Calls made while the
//! session reconnects wait for the link in call order (see [`crate::hold`]).

use std::sync::Arc;

use sigshim::ClientEvent;
use sigshim_mapping::LegacyCode;
use sigshim_mapping::translate::{self, LeaveCause};
use tokio::sync::mpsc;

use crate::calls::{self, CallTable};
use crate::channels::ChannelTable;
use crate::command::Command;
use crate::dispatcher::Dispatch;
use crate::hold::{Ends, Hold};
use crate::messages::{self, ChannelTarget, PeerPolicy};
use crate::options::SignalingOptions;
use crate::phone::PhoneCalls;
use crate::queries;
use crate::sends::{self, SendQueue};
use crate::session::{LegacyLogin, Session};
use crate::status::StatusCell;
use crate::uid::uid_for;

/// One legacy instance's state, split among its owners.
pub(crate) struct Actor {
    /// Where every callback goes.
    out: Dispatch,
    session: Session,
    channels: ChannelTable,
    calls: CallTable,
    phone: PhoneCalls,
    sends: SendQueue,
    hold: Hold,
    peer_policy: PeerPolicy,
}

impl Actor {
    /// A fresh instance: not logged in, nothing joined, nothing in flight.
    /// `status` is the login status cell the `Signaling` handle reads, `ends` its count of
    /// queued logouts and destroys.
    pub(crate) fn new(
        app_id: String,
        options: &SignalingOptions,
        status: Arc<StatusCell>,
        ends: Arc<Ends>,
        out: Dispatch,
    ) -> Self {
        Self {
            out,
            session: Session::new(app_id, options, status),
            channels: ChannelTable::new(options.multi_channel),
            calls: CallTable::default(),
            phone: PhoneCalls::new(options.pstn_gateway.clone()),
            sends: SendQueue::default(),
            hold: Hold::new(ends),
            peer_policy: PeerPolicy {
                strict_ack: options.strict_peer_ack,
                offline: options.offline_messages,
            },
        }
    }

    /// Runs the instance until `destroy` (or the queue closes): then reports the sends in
    /// flight, fails the held calls and logs out.
    pub(crate) async fn run(mut self, mut cmds: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                biased;
                // A send's own result before any event the server produced after it.
                result = self.sends.next_done() => sends::report(&self.out, result).await,
                ev = self.session.next_event() => self.on_event(ev).await,
                item = self.channels.next_item() => self.channels.on_item(&self.out, item).await,
                ev = self.calls.next_event() => {
                    let live = self.session.is_live();
                    self.calls.on_event(&self.out, live, ev).await;
                }
                report = self.phone.next_report() => self.phone.on_report(&self.out, report).await,
                // The link is back: the held calls run, oldest first, before any new one.
                () = std::future::ready(()), if self.releasable() => {
                    if let Some(cmd) = self.hold.pop() {
                        self.handle(cmd).await;
                    }
                }
                // A full hold takes no call, unless a logout or destroy is queued behind it.
                () = self.hold.end_queued(), if self.hold.is_full() => {}
                cmd = cmds.recv(), if self.hold.can_take() => match cmd {
                    Some(Command::Destroy) => {
                        self.hold.end_taken();
                        break;
                    }
                    None => break,
                    Some(Command::Logout) => {
                        self.hold.end_taken();
                        self.sends.drain(&self.out).await;
                        self.logout().await;
                    }
                    Some(cmd) if self.hold.holds(&cmd, self.session.reconnecting()) => self.hold.push(cmd),
                    Some(cmd) => self.handle(cmd).await,
                },
            }
        }
        self.sends.drain(&self.out).await;
        if self.session.client().is_some() {
            self.logout().await;
        } else {
            self.fail_held().await;
        }
    }

    /// Whether a held call may run now: the session is logged in again, not reconnecting.
    fn releasable(&self) -> bool {
        !self.hold.is_empty() && self.session.logged_in().is_some() && !self.session.reconnecting()
    }

    /// Answers every held call as a call without a session, in call order: a send fails with
    /// `on_message_send_error(msg_id, 400)`; a login is ignored (it was made while the session
    /// existed); any other call gets its usual answer before login.
    async fn fail_held(&mut self) {
        while let Some(cmd) = self.hold.pop() {
            match cmd {
                Command::InstantSend { msg_id, .. } | Command::ChannelSend { msg_id, .. } => {
                    let msg_id = self.sends.msg_id(msg_id);
                    self.sends.failed(&self.out, msg_id, LegacyCode::SendMessageOther).await;
                }
                Command::Login { account, .. } => {
                    self.session.login_ignored();
                    tracing::debug!(%account, "login made while logged in ignored");
                }
                cmd => self.handle(cmd).await,
            }
        }
    }

    /// Runs one call (never `logout` or `destroy`: the run loop takes those). A send is started
    /// and left in flight; any other call first waits for the sends in flight and reports their
    /// results, so its own callbacks follow theirs.
    async fn handle(&mut self, cmd: Command) {
        let out = &self.out;
        let cmd = match cmd {
            Command::InstantSend { account, msg, msg_id, offline } => {
                let msg_id = self.sends.msg_id(msg_id);
                let Some(client) = self.session.client() else {
                    return self.sends.failed(out, msg_id, translate::not_logged_in()).await;
                };
                let send =
                    messages::peer_send(client.clone(), self.peer_policy, account, msg, msg_id, offline);
                return self.sends.start(out, send).await;
            }
            Command::ChannelSend { channel_id, msg, msg_id, force } => {
                let msg_id = self.sends.msg_id(msg_id);
                let Some((client, account)) = self.session.logged_in() else {
                    return self.sends.failed(out, msg_id, translate::not_logged_in()).await;
                };
                // The normal send needs the channel joined now; the force send needs no membership.
                // A member gets its own message back, as every member does (the server fans it out
                // to the others); a force send from outside the channel is not echoed.
                let joined = self.channels.channel(&channel_id);
                let echo_to = joined.is_some().then(|| account.to_owned());
                let target = match joined {
                    _ if force => ChannelTarget::Force(client.clone()),
                    Some(channel) => ChannelTarget::Joined(channel.clone()),
                    None => {
                        let code = translate::channel_send_failure(
                            sigshim::error::ChannelMessageError::NotInChannel,
                        );
                        return self.sends.failed(out, msg_id, code).await;
                    }
                };
                let send = messages::channel_send(target, channel_id, msg, msg_id, echo_to);
                return self.sends.start(out, send).await;
            }
            other => other,
        };
        self.sends.drain(out).await;
        let client = self.session.logged_in().map(|(c, _)| c);
        match cmd {
            Command::Login { app_id, account, token, retry_time, retry_count } => {
                self.session.login_taken();
                let req = LegacyLogin { app_id, account, token, retry_time, retry_count };
                if let Some((kit, events)) = self.session.login(out, req).await {
                    self.calls.attach(kit, events);
                }
            }
            Command::QueryUserStatus { account } => {
                if let Some((client, _)) = self.session.require_login(out, "query_user_status").await {
                    queries::report_user_status(out, client, account).await;
                }
            }
            Command::SetAttr { name, value } => {
                if let Some((client, _)) = self.session.require_login(out, "set_attr").await {
                    queries::report_set_attr(out, client, name, value).await;
                }
            }
            Command::GetAttr { account, name } => {
                let op = if account.is_some() { "get_user_attr" } else { "get_attr" };
                if let Some((client, me)) = self.session.require_login(out, op).await {
                    let account = account.unwrap_or_else(|| me.to_owned());
                    queries::report_attr(out, client, op, account, name).await;
                }
            }
            Command::GetAttrAll { account } => {
                let op = if account.is_some() { "get_user_attr_all" } else { "get_attr_all" };
                if let Some((client, me)) = self.session.require_login(out, op).await {
                    let account = account.unwrap_or_else(|| me.to_owned());
                    queries::report_attr_all(out, client, op, account).await;
                }
            }
            Command::Invoke { name, req, call_id } => {
                crate::invoke::invoke(out, client, &self.channels, name, req, call_id).await
            }
            Command::Dbg { a, b } => out.emit(move |c| c.on_dbg(&a, &b)).await,
            Command::Then(barrier) => out.emit(barrier.0.into_inner()).await,
            Command::RefuseSend { name, msg_id } => {
                let code = LegacyCode::SendMessageOther.code();
                tracing::debug!(call = name, "unsupported send refused");
                out.emit(move |c| c.on_message_send_error(&msg_id, code)).await
            }
            Command::BcCall { call_id } => {
                let reason = format!("{}: unsupported", translate::unsupported().code());
                out.emit(move |c| c.on_bc_call_result(&reason, "{}", &call_id)).await
            }
            Command::ChannelJoin { channel_id } => {
                self.channels.join(out, self.session.logged_in(), channel_id).await
            }
            Command::ChannelLeave { channel_id } => {
                self.channels.leave(out, client.is_some(), channel_id).await
            }
            Command::ChannelQueryUserNum { channel_id } => {
                queries::report_member_count(out, client, channel_id).await
            }
            Command::ChannelQueryUserIsIn { channel_id, account } => {
                let op = "channel_query_user_is_in";
                if let Some((client, _)) = self.session.require_login(out, op).await {
                    queries::report_user_is_in(out, client, channel_id, account).await;
                }
            }
            Command::ChannelAttr { channel_id, op } => {
                if let Some((client, _)) = self.session.require_login(out, op.name()).await {
                    queries::report_channel_attr(out, client, channel_id, op).await;
                }
            }
            Command::Invite { channel_id, account, extra } => {
                self.calls.invite(out, client.is_some(), channel_id, account, extra).await
            }
            Command::InviteAnswer { channel_id, account, extra, accept } => {
                self.calls.answer(out, channel_id, account, extra, accept).await
            }
            Command::InviteEnd { channel_id, account, extra } => {
                if self.phone.is_call(&channel_id, &account) {
                    self.phone.end(out, channel_id, account).await
                } else {
                    self.calls.end(out, client, channel_id, account, extra).await
                }
            }
            Command::InviteDtmf { channel_id, phone_num, digits } => {
                if !calls::check_dtmf(out, &digits).await {
                    return;
                }
                if self.calls.has_call(&channel_id, &phone_num) {
                    self.calls.dtmf(out, client, &channel_id, &phone_num, &digits).await
                } else {
                    self.phone.dtmf(out, &channel_id, &phone_num, &digits).await
                }
            }
            Command::InvitePhone { channel_id, phone_num, source, extra, .. } => {
                let account = self.session.logged_in().map(|(_, a)| a);
                self.phone.dial(out, account, channel_id, phone_num, source, extra).await
            }
            Command::InstantSend { .. }
            | Command::ChannelSend { .. }
            | Command::Logout
            | Command::Destroy => {}
        }
    }

    /// `logout`, at once also while reconnecting: the calls held for the link fail first (they
    /// were made before it), then the calls and channels end with the session
    /// (`on_channel_leaved(ch, 603)` for each), then `on_logout(101)`; `on_logout(108)` without a
    /// session.
    async fn logout(&mut self) {
        let reconnecting = self.session.reconnecting();
        let Some(client) = self.session.end() else {
            self.fail_held().await;
            let code = LegacyCode::LogoutAlreadyLogout.code();
            return self.out.emit(move |c| c.on_logout(code)).await;
        };
        if reconnecting {
            self.session.show_logged_out();
        }
        self.fail_held().await;
        self.calls.lost();
        self.channels.lost(&self.out, LeaveCause::Logout).await;
        self.session.finish_logout(&self.out, client).await;
    }

    /// An event of the core session.
    async fn on_event(&mut self, ev: ClientEvent) {
        match ev {
            ClientEvent::MessageFromPeer { peer_id, message, .. } => {
                let text = messages::legacy_text(message);
                if self.calls.on_peer_message(&self.out, &peer_id, &text).await {
                    return;
                }
                let uid = uid_for(&peer_id);
                self.out.emit(move |c| c.on_message_instant_receive(&peer_id, uid, &text)).await;
            }
            ClientEvent::ConnectionStateChanged { state, reason } => {
                let Some(why) = self.session.on_state(&self.out, state, reason).await else { return };
                // The session is lost: the sends in flight end first (with whatever the core
                // answers), then the calls and channels, then the session itself; the calls
                // held for the link get their answers after that.
                self.sends.drain(&self.out).await;
                self.session.end();
                self.calls.lost();
                self.channels.lost(&self.out, LeaveCause::from_connection(why)).await;
                let code = translate::logout_reason(why).code();
                self.out.emit(move |c| c.on_logout(code)).await;
                self.fail_held().await;
            }
            _ => {}
        }
    }
}
