//! The legacy instance: every Signaling method of this release, returning at once; results
//! arrive through [`SignalingCallbacks`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sigshim_mapping::{LegacyCode, LoginStatus};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::actor::Actor;
use crate::callbacks::SignalingCallbacks;
use crate::command::Command;
use crate::dispatcher::{Dispatch, Job};
use crate::hold::Ends;
use crate::instances;
use crate::options::SignalingOptions;
use crate::queries::AttrOp;
use crate::status::StatusCell;

/// The legacy SDK version this facade reproduces (1.4.4), in the legacy integer encoding
/// `1 MM mm pp bbb`.
#[allow(clippy::inconsistent_digit_grouping)] // grouped by the fields of that encoding
pub const SDK_VERSION: i32 = 1_01_04_04_000;

/// How many calls an instance holds before its actor takes them; a call beyond that is
/// refused with `on_error(name, 1001, …)` rather than blocking the caller.
pub(crate) const COMMAND_QUEUE: usize = 1024;

/// Default reconnect limits of `login` (the legacy native defaults).
const DEFAULT_RETRY_TIME: i32 = 30;
const DEFAULT_RETRY_COUNT: i32 = 3;

/// A legacy Signaling instance.
///
/// Each instance is one task on the async runtime (the caller's, or a small shared one) and a
/// command queue; its callbacks run on the process's dispatcher thread, in call order. Its log
/// lines carry a `signaling` span with its app ID, its number in the process and, once logged
/// in, its account. Many instances can share a process: each costs a task and its queues.
///
/// An instance lives until [`destroy`](Self::destroy), as legacy instances did: the process
/// holds every instance it created, so dropping the returned handles ends nothing (the session
/// stays, messages keep arriving at its callbacks). `destroy` logs it out and lets it go.
///
/// # Examples
///
/// Two instances on an in-process hub; Bob answers Alice's message.
///
/// ```
/// use std::sync::{Arc, mpsc};
/// use std::time::Duration;
///
/// use sigshim::{Hub, HubConfig};
/// use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};
///
/// /// Sends the login and every received peer message to a channel.
/// struct Inbox(mpsc::Sender<String>);
///
/// impl SignalingCallbacks for Inbox {
///     fn on_login_success(&self, _uid: u32, _fd: u32) {
///         let _ = self.0.send("logged in".to_owned());
///     }
///     fn on_message_instant_receive(&self, account: &str, _uid: u32, msg: &str) {
///         let _ = self.0.send(format!("{account}: {msg}"));
///     }
/// }
///
/// let hub = Hub::new(HubConfig::new("app"));
/// let options = SignalingOptions::default().hub(&hub);
/// let (alice, bob) = (
///     Signaling::create_instance_with("app", options.clone()),
///     Signaling::create_instance_with("app", options),
/// );
/// let (alice_tx, alice_inbox) = mpsc::channel();
/// let (bob_tx, bob_inbox) = mpsc::channel();
/// alice.callback_set(Arc::new(Inbox(alice_tx)));
/// bob.callback_set(Arc::new(Inbox(bob_tx)));
/// let next = |inbox: &mpsc::Receiver<String>| inbox.recv_timeout(Duration::from_secs(10)).unwrap();
///
/// alice.login("app", "alice", "", 0, "");
/// bob.login("app", "bob", "", 0, "");
/// assert_eq!(next(&alice_inbox), "logged in");
/// assert_eq!(next(&bob_inbox), "logged in");
/// assert_eq!(alice.get_status(), 2, "logged in");
///
/// alice.message_instant_send("bob", 0, "ping", "");
/// assert_eq!(next(&bob_inbox), "alice: ping");
/// bob.message_instant_send("alice", 0, "pong", "");
/// assert_eq!(next(&alice_inbox), "bob: pong");
///
/// alice.destroy();
/// bob.destroy();
/// ```
pub struct Signaling {
    app_id: String,
    cmds: mpsc::Sender<Command>,
    status: Arc<StatusCell>,
    /// The callbacks; also reached directly for failures found before the actor sees a call.
    dispatch: Dispatch,
    /// The logouts and destroys queued for the actor (they get past a full hold).
    ends: Arc<Ends>,
    /// The instance's number in the process, by which the process holds it until `destroy`.
    instance: u64,
    destroyed: AtomicBool,
}

impl std::fmt::Debug for Signaling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signaling").field("app_id", &self.app_id).field("status", &self.get_status()).finish()
    }
}

impl Signaling {
    /// The process-wide instance (legacy `getInstance`). Switching the app ID needs
    /// [`destroy`](Self::destroy) first; until then the existing instance is returned. Like
    /// every instance, it lives until `destroy`.
    pub fn get_instance(app_id: &str) -> Arc<Signaling> {
        instances::with_singleton(|slot| {
            if let Some(s) = slot.as_ref().filter(|s| !s.destroyed.load(Ordering::Acquire)) {
                if s.app_id != app_id {
                    tracing::warn!(current = %s.app_id, requested = %app_id, "destroy the instance to switch app ID");
                }
                return s.clone();
            }
            let s = Self::create_instance(app_id);
            *slot = Some(s.clone());
            s
        })
    }

    /// A new independent instance (legacy `createAgoraSDKInstance`). It lives until
    /// [`destroy`](Self::destroy): the process keeps it, so dropping every returned handle does
    /// not log it out; an instance that is never destroyed keeps its session until the process
    /// ends.
    pub fn create_instance(app_id: &str) -> Arc<Signaling> {
        Self::create_instance_with(app_id, SignalingOptions::default())
    }

    /// A new instance with explicit options (endpoint, acknowledgement mode). It lives until
    /// [`destroy`](Self::destroy), as [`create_instance`](Self::create_instance) explains.
    pub fn create_instance_with(app_id: &str, options: SignalingOptions) -> Arc<Signaling> {
        let dispatch = Dispatch::new(options.inline_callbacks);
        Self::create_with_dispatch(app_id, options, dispatch)
    }

    /// A new instance whose callbacks are jobs queued on `queue`, for the owner of its receiver
    /// to run with callbacks of its own (`options.inline_callbacks` is not used). Emitting waits
    /// while the queue is full: a slow owner holds the instance back, and with it the instance's
    /// core session, whose inbox then fills as a slow reader's does.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn create_owned(
        app_id: &str,
        options: SignalingOptions,
        queue: mpsc::Sender<Job>,
    ) -> Arc<Signaling> {
        Self::create_with_dispatch(app_id, options, Dispatch::to_owner(queue))
    }

    fn create_with_dispatch(app_id: &str, options: SignalingOptions, dispatch: Dispatch) -> Arc<Signaling> {
        static INSTANCES: AtomicU64 = AtomicU64::new(0);
        let instance = INSTANCES.fetch_add(1, Ordering::Relaxed) + 1;
        let span = tracing::info_span!(
            "signaling",
            app_id = %app_id,
            instance,
            account = tracing::field::Empty
        );
        let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
        let status = Arc::new(StatusCell::default());
        let ends = Arc::new(Ends::default());
        let actor = Actor::new(app_id.to_owned(), &options, status.clone(), ends.clone(), dispatch.clone());
        instances::runtime().spawn(actor.run(rx).instrument(span));
        let sig = Arc::new(Signaling {
            app_id: app_id.to_owned(),
            cmds: tx,
            status,
            dispatch,
            ends,
            instance,
            destroyed: AtomicBool::new(false),
        });
        instances::keep(instance, sig.clone());
        sig
    }

    /// The app ID this instance was created for.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Queues `cmd` for the actor; false when it was not queued (destroyed, or the queue full:
    /// then `on_error(name, 1001, …)` is reported).
    pub(crate) fn send(&self, cmd: Command) -> bool {
        if self.destroyed.load(Ordering::Acquire) {
            tracing::warn!("call on a destroyed Signaling instance ignored");
            return false;
        }
        if let Err(e) = self.cmds.try_send(cmd) {
            let name = match &e {
                mpsc::error::TrySendError::Full(c) | mpsc::error::TrySendError::Closed(c) => c.name(),
            };
            // Reported on the dispatcher thread like every other callback, never on the caller's.
            let code = LegacyCode::GeneralFailed.code();
            let job: Job = Box::new(move |c| c.on_error(name, code, "too many calls in flight"));
            if !self.dispatch.try_queue(job) {
                tracing::warn!(call = name, "call dropped: the instance is overloaded or destroyed");
            }
            return false;
        }
        true
    }

    /// Queues `job` to run in callback order once every call made before it has finished (its
    /// callbacks emitted); false (the job dropped) when the queue of calls is full or the
    /// instance destroyed.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn after_calls(&self, job: Job) -> bool {
        !self.destroyed.load(Ordering::Acquire)
            && self.cmds.try_send(Command::Then(crate::command::Barrier(job.into()))).is_ok()
    }

    /// Ends the instance, the only way it ends: it logs out (`on_logout(101)` if it was logged
    /// in; at once also while reconnecting, the calls waiting for the link failing first), the
    /// queued callbacks still run, then its task ends and the process lets the instance go.
    /// Later calls are ignored. Returns at once.
    pub fn destroy(&self) {
        if self.destroyed.swap(true, Ordering::AcqRel) {
            return;
        }
        // Destroy asks for the logout; it goes behind the calls already queued. A full queue
        // takes it as soon as it has room (the actor reads on to reach it).
        self.ends.queuing();
        match self.cmds.try_send(Command::Destroy) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(cmd)) => {
                let cmds = self.cmds.clone();
                instances::runtime().spawn(async move {
                    let _ = cmds.send(cmd).await;
                });
            }
            Err(mpsc::error::TrySendError::Closed(_)) => self.ends.not_queued(),
        }
        instances::release(self.instance, self);
    }

    /// Registers the callback sink (legacy `callbackSet`).
    pub fn callback_set(&self, callbacks: Arc<dyn SignalingCallbacks>) {
        self.dispatch.set(callbacks);
    }

    /// The current callback sink (legacy `callbackGet`).
    pub fn callback_get(&self) -> Arc<dyn SignalingCallbacks> {
        self.dispatch.get()
    }

    /// No-op: the event loop always runs (kept for interface compatibility).
    pub fn start(&self) {}

    /// No-op: the event loop stops with [`destroy`](Self::destroy).
    pub fn stop(&self) {}

    /// Accepted and ignored: background state does not change delivery here.
    pub fn set_background(&self, background: u32) {
        tracing::debug!(background, "set_background");
    }

    /// Accepted and ignored: the transport detects the network state itself.
    pub fn set_network_status(&self, status: u32) {
        tracing::debug!(status, "set_network_status");
    }

    /// No-op keep-alive: the transport keeps the link alive itself.
    pub fn ping(&self) {}

    /// Debug hook: answered with `on_dbg(a, b)`.
    pub fn dbg(&self, a: &str, b: &str) {
        self.send(Command::Dbg { a: a.to_owned(), b: b.to_owned() });
    }

    /// Logs in with the default reconnect limits (30 s, 3 attempts).
    pub fn login(&self, app_id: &str, account: &str, token: &str, uid: u32, device_id: &str) {
        self.login2(app_id, account, token, uid, device_id, DEFAULT_RETRY_TIME, DEFAULT_RETRY_COUNT);
    }

    /// Logs in; `retry_time_in_s` and `retry_count` bound the retries of the login and of later
    /// reconnects (whichever runs out first). `uid` and `device_id` are ignored, as in the legacy
    /// SDK. A login while logged in or logging in is ignored.
    ///
    /// Calls made while the session reconnects (`get_status() == 3`) wait for the link and go
    /// out in call order after `on_reconnected`. When the reconnects run out instead, they are
    /// answered after `on_logout(102)` as without a session (a send with
    /// `on_message_send_error(msg_id, 400)`).
    #[allow(clippy::too_many_arguments)]
    pub fn login2(
        &self,
        app_id: &str,
        account: &str,
        token: &str,
        _uid: u32,
        _device_id: &str,
        retry_time_in_s: i32,
        retry_count: i32,
    ) {
        // "Logging in" from the call on, as the legacy SDK set it; the actor settles it.
        let set_logining = self.status.login_called();
        let queued = self.send(Command::Login {
            app_id: app_id.to_owned(),
            account: account.to_owned(),
            token: token.to_owned(),
            retry_time: Duration::from_secs(retry_time_in_s.max(0) as u64),
            retry_count: retry_count.max(0) as u32,
        });
        if !queued {
            self.status.login_not_queued(set_logining);
        }
    }

    /// Logs out (`on_logout(101)`, or `on_logout(108)` when not logged in). While reconnecting
    /// it takes effect at once: the calls waiting for the link fail first, in call order, then
    /// come the logout's own callbacks.
    pub fn logout(&self) {
        self.ends.queuing();
        if !self.send(Command::Logout) {
            self.ends.not_queued();
        }
    }

    /// 0 not logged in, 1 logging in, 2 logged in, 3 reconnecting. Synchronous: 1 as soon as
    /// `login`/`login2` returns, 2 once logged in, 3 while reconnecting, 0 once a logout or a
    /// failed login has been reported.
    pub fn get_status(&self) -> i32 {
        self.status.get()
    }

    /// 1 when logged in, else 0.
    pub fn is_online(&self) -> i32 {
        i32::from(self.get_status() == LoginStatus::Logined.code())
    }

    /// The legacy version integer ([`SDK_VERSION`]).
    pub fn get_sdk_version(&self) -> i32 {
        SDK_VERSION
    }

    /// Sends a peer message; `on_message_send_success(msg_id)` when the server accepted it.
    /// An empty `msg_id` is replaced by a generated one.
    pub fn message_instant_send(&self, account: &str, uid: u32, msg: &str, msg_id: &str) {
        self.message_instant_send2(account, uid, msg, msg_id, "");
    }

    /// As [`message_instant_send`](Self::message_instant_send); `options` is a JSON object whose
    /// key `offline` (bool or 0/1) overrides offline caching for this message.
    pub fn message_instant_send2(&self, account: &str, _uid: u32, msg: &str, msg_id: &str, options: &str) {
        self.send(Command::InstantSend {
            account: account.to_owned(),
            msg: msg.to_owned(),
            msg_id: msg_id.to_owned(),
            offline: crate::messages::offline_override(options),
        });
    }

    /// Asks whether `account` is online: `on_query_user_status_result(account, "1"|"0")`.
    pub fn query_user_status(&self, account: &str) {
        self.send(Command::QueryUserStatus { account: account.to_owned() });
    }

    /// Sets an attribute of the logged-in user; an empty value removes it.
    pub fn set_attr(&self, name: &str, value: &str) {
        self.send(Command::SetAttr { name: name.to_owned(), value: value.to_owned() });
    }

    /// Reads an attribute of the logged-in user: `on_user_attr_result`.
    pub fn get_attr(&self, name: &str) {
        self.send(Command::GetAttr { account: None, name: name.to_owned() });
    }

    /// Reads all attributes of the logged-in user: `on_user_attr_all_result` with a JSON object.
    pub fn get_attr_all(&self) {
        self.send(Command::GetAttrAll { account: None });
    }

    /// Reads an attribute of any logged-in user.
    pub fn get_user_attr(&self, account: &str, name: &str) {
        self.send(Command::GetAttr { account: Some(account.to_owned()), name: name.to_owned() });
    }

    /// Reads all attributes of any logged-in user.
    pub fn get_user_attr_all(&self, account: &str) {
        self.send(Command::GetAttrAll { account: Some(account.to_owned()) });
    }

    /// Calls a legacy RPC by name (`io.agora.signal.*`): `on_invoke_ret(call_id, err, resp)`.
    pub fn invoke(&self, name: &str, req: &str, call_id: &str) {
        self.send(Command::Invoke {
            name: name.to_owned(),
            req: req.to_owned(),
            call_id: call_id.to_owned(),
        });
    }
}

/// Channels.
impl Signaling {
    /// Joins a channel: `on_channel_joined(channel_id)`, then `on_channel_user_list(accounts,
    /// uids)` (latest members first, at most 200, this user included), then one
    /// `on_channel_attr_updated(channel_id, name, value, "update")` per existing attribute, and
    /// only then the channel's member events. Without multi-channel mode the current channel is
    /// left first (`on_channel_leaved(current, 602)`). Any failure (a member list or attribute
    /// set that cannot be read too: the join is undone, never reported with a partial list), a
    /// call before login and the legacy special channels give `on_channel_join_failed(channel_id,
    /// 300)`.
    pub fn channel_join(&self, channel_id: &str) {
        self.send(Command::ChannelJoin { channel_id: channel_id.to_owned() });
    }

    /// Leaves a channel: `on_channel_leaved(channel_id, 602)` (600 when not in it, 603 before
    /// login). Other members see `on_channel_user_leaved`.
    pub fn channel_leave(&self, channel_id: &str) {
        self.send(Command::ChannelLeave { channel_id: channel_id.to_owned() });
    }

    /// Sends a message to a joined channel: `on_message_send_success(msg_id)` once the server has
    /// it, else `on_message_send_error(msg_id, 400 | 401)` (1003 before login). Every member gets
    /// `on_message_channel_receive`, the sender too: its own copy comes right after its
    /// `on_message_send_success`, as the legacy SDKs echoed channel messages. A refused send is
    /// not echoed. An empty `msg_id` is replaced by a generated one.
    pub fn message_channel_send(&self, channel_id: &str, msg: &str, msg_id: &str) {
        self.channel_send(channel_id, msg, msg_id, false);
    }

    /// Sends a message to a channel without joining it: members get the usual
    /// `on_message_channel_receive`; nobody sees a join or a leave. A sender outside the channel
    /// gets no copy; a sender that is a member gets it as from `message_channel_send`.
    pub fn message_channel_send_force(&self, channel_id: &str, msg: &str, msg_id: &str) {
        self.channel_send(channel_id, msg, msg_id, true);
    }

    fn channel_send(&self, channel_id: &str, msg: &str, msg_id: &str, force: bool) {
        self.send(Command::ChannelSend {
            channel_id: channel_id.to_owned(),
            msg: msg.to_owned(),
            msg_id: msg_id.to_owned(),
            force,
        });
    }

    /// Counts a channel's members (no membership needed):
    /// `on_channel_query_user_num_result(channel_id, 0, num)`, or 500 / 501 with 0.
    pub fn channel_query_user_num(&self, channel_id: &str) {
        self.send(Command::ChannelQueryUserNum { channel_id: channel_id.to_owned() });
    }

    /// Asks whether `account` is in a channel (no membership needed):
    /// `on_channel_query_user_is_in(channel_id, account, 1 | 0)`.
    pub fn channel_query_user_is_in(&self, channel_id: &str, account: &str) {
        self.send(Command::ChannelQueryUserIsIn {
            channel_id: channel_id.to_owned(),
            account: account.to_owned(),
        });
    }

    /// Sets a channel attribute; every member (this user included, when a member) gets
    /// `on_channel_attr_updated(channel_id, name, value, "update")`. Failures give
    /// `on_error("channel_set_attr", code, desc)`.
    pub fn channel_set_attr(&self, channel_id: &str, name: &str, value: &str) {
        let op = AttrOp::Set { name: name.to_owned(), value: value.to_owned() };
        self.send(Command::ChannelAttr { channel_id: channel_id.to_owned(), op });
    }

    /// Deletes a channel attribute: members get `on_channel_attr_updated(channel_id, name, "",
    /// "del")`, also when it was the last one.
    pub fn channel_del_attr(&self, channel_id: &str, name: &str) {
        let op = AttrOp::Del { name: name.to_owned() };
        self.send(Command::ChannelAttr { channel_id: channel_id.to_owned(), op });
    }

    /// Deletes every attribute of a channel: members get one
    /// `on_channel_attr_updated(channel_id, "", "", "clear")`.
    pub fn channel_clear_attr(&self, channel_id: &str) {
        self.send(Command::ChannelAttr { channel_id: channel_id.to_owned(), op: AttrOp::Clear });
    }
}

impl Signaling {
    fn refuse_send(&self, name: &'static str, msg_id: &str) {
        self.send(Command::RefuseSend { name, msg_id: msg_id.to_owned() });
    }

    /// Unsupported (no application-server endpoint): `on_message_send_error(msg_id, 400)`.
    pub fn message_app_send(&self, _msg: &str, msg_id: &str) {
        self.refuse_send("message_app_send", msg_id);
    }

    /// Unsupported (use [`message_instant_send`](Self::message_instant_send)):
    /// `on_message_send_error(msg_id, 400)`.
    pub fn message_push_send(&self, _account: &str, _uid: u32, _msg: &str, msg_id: &str) {
        self.refuse_send("message_push_send", msg_id);
    }

    /// Unsupported (use [`message_instant_send`](Self::message_instant_send)):
    /// `on_message_send_error(msg_id, 400)`.
    pub fn message_chat_send(&self, _account: &str, _uid: u32, _msg: &str, msg_id: &str) {
        self.refuse_send("message_chat_send", msg_id);
    }

    /// Unsupported (obsolete in the legacy SDK): `on_message_send_error(msg_id, 400)`.
    pub fn message_dtmf_send(&self, _uid: u32, _msg: &str, msg_id: &str) {
        self.refuse_send("message_dtmf_send", msg_id);
    }

    /// Unsupported (undocumented variant): `on_message_send_error(msg_id, 400)`.
    pub fn message_channel_send2(&self, _channel_id: &str, _msg: &str, msg_id: &str, _extra: &str) {
        self.refuse_send("message_channel_send2", msg_id);
    }

    /// Unsupported (a single old build had it): `on_message_send_error(msg_id, 400)`.
    pub fn message_channel_send_fast(&self, _channel_id: &str, _msg: &str, msg_id: &str) {
        self.refuse_send("message_channel_send_fast", msg_id);
    }

    /// Unsupported (no broadcast RPC service): `on_bc_call_result("1001: unsupported", "{}", call_id)`.
    pub fn bc_call(&self, _func: &str, _json_args: &str, call_id: &str) {
        self.send(Command::BcCall { call_id: call_id.to_owned() });
    }
}
