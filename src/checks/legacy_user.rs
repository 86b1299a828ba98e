//! A user of the legacy facade over WebSocket, as the checks drive it: its callbacks arrive as
//! values on a channel, and waits on them are bounded.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions};
use sigshim_mapping::codes::LegacyCode;
use tokio::sync::mpsc;

use super::assertion::CheckError;
use super::backlog::Backlog;
use super::{CallNote, LOGIN_WAIT, Target, WAIT};

/// A legacy error code, as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) struct LegacyFailure(pub(crate) i32);

impl fmt::Display for LegacyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match LegacyCode::from_code(self.0) {
            Some(code) => write!(f, "{code}: {}", code.description()),
            None => write!(f, "legacy code {}", self.0),
        }
    }
}

/// The callbacks the checks look at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cb {
    LoginSuccess,
    LoginFailed(i32),
    SendSuccess(String),
    SendError(String, i32),
    Instant { from: String, text: String },
    UserAttr { account: String, name: String, value: String },
    Error { name: String, code: i32 },
    Dbg(String),
    Call(CallNote),
    EndByMyself { channel: String, peer: String },
}

/// Turns callbacks into [`Cb`]s on a channel.
struct Sink(mpsc::UnboundedSender<Cb>);

impl Sink {
    fn put(&self, cb: Cb) {
        // The receiver is gone only when the user is: nothing waits for the callback then.
        let _ = self.0.send(cb);
    }
}

impl SignalingCallbacks for Sink {
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        self.put(Cb::LoginSuccess);
    }
    fn on_login_failed(&self, ecode: i32) {
        self.put(Cb::LoginFailed(ecode));
    }
    fn on_message_send_success(&self, message_id: &str) {
        self.put(Cb::SendSuccess(message_id.into()));
    }
    fn on_message_send_error(&self, message_id: &str, ecode: i32) {
        self.put(Cb::SendError(message_id.into(), ecode));
    }
    fn on_message_instant_receive(&self, account: &str, _uid: u32, msg: &str) {
        self.put(Cb::Instant { from: account.into(), text: msg.into() });
    }
    fn on_user_attr_result(&self, account: &str, name: &str, value: &str) {
        self.put(Cb::UserAttr { account: account.into(), name: name.into(), value: value.into() });
    }
    fn on_error(&self, name: &str, ecode: i32, _desc: &str) {
        self.put(Cb::Error { name: name.into(), code: ecode });
    }
    fn on_dbg(&self, _a: &str, b: &str) {
        self.put(Cb::Dbg(b.into()));
    }
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, _uid: u32) {
        self.put(Cb::Call(CallNote::ReceivedByPeer { peer: account.into(), channel: channel_id.into() }));
    }
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, _uid: u32, extra: &str) {
        let (peer, channel, extra) = (account.into(), channel_id.into(), extra.into());
        self.put(Cb::Call(CallNote::Accepted { peer, channel, extra }));
    }
    fn on_invite_refused_by_peer(&self, channel_id: &str, account: &str, _uid: u32, extra: &str) {
        let (peer, channel, extra) = (account.into(), channel_id.into(), extra.into());
        self.put(Cb::Call(CallNote::Refused { peer, channel, extra }));
    }
    fn on_invite_failed(&self, channel_id: &str, account: &str, _uid: u32, ecode: i32, _extra: &str) {
        let (peer, channel) = (account.into(), channel_id.into());
        self.put(Cb::Call(CallNote::Failed { peer, channel, code: ecode }));
    }
    fn on_invite_end_by_peer(&self, channel_id: &str, account: &str, _uid: u32, _extra: &str) {
        self.put(Cb::Call(CallNote::Ended { peer: account.into(), channel: channel_id.into() }));
    }
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, _uid: u32) {
        self.put(Cb::EndByMyself { channel: channel_id.into(), peer: account.into() });
    }
}

/// A legacy `Signaling` instance of the target, destroyed on drop.
pub(crate) struct LegacyUser {
    sig: Arc<Signaling>,
    rx: mpsc::UnboundedReceiver<Cb>,
    backlog: Backlog<Cb>,
    user: String,
    seq: u64,
}

impl LegacyUser {
    /// An instance of the target logged in as `user`, with a token when the target has a
    /// certificate.
    pub(crate) async fn online(target: &Target, user: &str) -> Result<Self, CheckError> {
        let sig =
            Signaling::create_instance_with(&target.app_id, SignalingOptions::default().url(&target.url));
        let (tx, rx) = mpsc::unbounded_channel();
        sig.callback_set(Arc::new(Sink(tx)));
        let mut me =
            Self { sig, rx, backlog: Backlog::new("legacy callbacks"), user: user.to_owned(), seq: 0 };
        let token = target.token(user)?.unwrap_or_else(|| "_no_need_token".into());
        me.sig.login(&target.app_id, user, &token, 0, "");
        let what = format!("legacy login of {user}");
        let result = me
            .wait_for(&what, LOGIN_WAIT, |c| match c {
                Cb::LoginSuccess => Some(Ok(())),
                Cb::LoginFailed(code) => Some(Err(LegacyFailure(*code))),
                _ => None,
            })
            .await?;
        result.map_err(|e| CheckError::call(what, e))?;
        Ok(me)
    }

    fn next_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}-{}", self.seq)
    }

    /// Waits at most `within` for the first callback (skipped ones first) that `pick` maps.
    async fn wait_for<T>(
        &mut self,
        what: &str,
        within: Duration,
        pick: impl Fn(&Cb) -> Option<T>,
    ) -> Result<T, CheckError> {
        self.backlog.wait(what, within, &mut self.rx, pick).await
    }

    /// Waits until every call made so far has been processed (an `on_dbg` round trip), then
    /// returns the code of an `on_error(op, …)` reported meanwhile, if any.
    async fn fence(&mut self, op: &str) -> Result<Option<i32>, CheckError> {
        let tag = self.next_id("fence");
        self.sig.dbg("fence", &tag);
        self.wait_for("on_dbg fence", WAIT, |c| (*c == Cb::Dbg(tag.clone())).then_some(())).await?;
        Ok(self.backlog.take(|c| match c {
            Cb::Error { name, code } if name == op => Some(*code),
            _ => None,
        }))
    }

    /// Sends an instant message and waits for its result.
    pub(crate) async fn send_peer(&mut self, to: &str, text: &str) -> Result<(), CheckError> {
        let id = self.next_id("msg");
        self.sig.message_instant_send(to, 0, text, &id);
        let result = self
            .wait_for("on_message_send_success | on_message_send_error", WAIT, |c| match c {
                Cb::SendSuccess(m) if *m == id => Some(Ok(())),
                Cb::SendError(m, code) if *m == id => Some(Err(LegacyFailure(*code))),
                _ => None,
            })
            .await?;
        result.map_err(|e| CheckError::call(format!("legacy send from {} to {to}", self.user), e))
    }

    /// Waits for the next instant message: (sender, text).
    pub(crate) async fn recv_peer(&mut self) -> Result<(String, String), CheckError> {
        self.wait_for("on_message_instant_receive", WAIT, |c| match c {
            Cb::Instant { from, text } => Some((from.clone(), text.clone())),
            _ => None,
        })
        .await
    }

    /// Sets one attribute of this user.
    pub(crate) async fn set_attr(&mut self, key: &str, value: &str) -> Result<(), CheckError> {
        self.sig.set_attr(key, value);
        match self.fence("set_attr").await? {
            Some(code) => Err(CheckError::call(format!("legacy set_attr({key})"), LegacyFailure(code))),
            None => Ok(()),
        }
    }

    /// Reads one attribute of another user: `Err` with the legacy code when refused.
    pub(crate) async fn get_user_attr(
        &mut self,
        user: &str,
        key: &str,
    ) -> Result<Result<String, LegacyFailure>, CheckError> {
        self.sig.get_user_attr(user, key);
        self.wait_for("on_user_attr_result | on_error(get_user_attr)", WAIT, |c| match c {
            Cb::UserAttr { account, name, value } if account == user && name == key => {
                Some(Ok(value.clone()))
            }
            Cb::Error { name, code } if name == "get_user_attr" => Some(Err(LegacyFailure(*code))),
            _ => None,
        })
        .await
    }

    /// Invites `to` to a call about `channel` with `extra`; failures arrive as notes.
    pub(crate) async fn invite(&mut self, to: &str, channel: &str, extra: &str) -> Result<(), CheckError> {
        self.sig.channel_invite_user2(channel, to, extra);
        match self.fence("channel_invite_user2").await? {
            Some(code) => Err(CheckError::call(format!("legacy invitation of {to}"), LegacyFailure(code))),
            None => Ok(()),
        }
    }

    /// Ends the call with `peer` about `channel` and waits for `on_invite_end_by_myself`.
    pub(crate) async fn end_call(&mut self, peer: &str, channel: &str) -> Result<(), CheckError> {
        self.sig.channel_invite_end(channel, peer, 0);
        let mine = Cb::EndByMyself { channel: channel.into(), peer: peer.into() };
        self.wait_for("on_invite_end_by_myself", WAIT, |c| (*c == mine).then_some(())).await
    }

    /// Waits for the next thing the other side of a call tells this one.
    pub(crate) async fn next_call(&mut self) -> Result<CallNote, CheckError> {
        self.wait_for("invitation callback", WAIT, |c| match c {
            Cb::Call(note) => Some(note.clone()),
            _ => None,
        })
        .await
    }
}

impl Drop for LegacyUser {
    fn drop(&mut self) {
        self.sig.destroy();
    }
}
