//! The legacy facade behind the [`Driver`] interface.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use sigshim_legacy::{Signaling, SignalingOptions};

use crate::driver::{Api, CallNote, Driver, Fail, FailKind as K, Outcome};
use crate::recorder::{Callbacks, recorder};

/// A legacy [`Signaling`] instance as a [`Driver`], recording every callback.
#[derive(Debug)]
pub struct LegacyDriver {
    /// The instance.
    pub sig: Arc<Signaling>,
    /// Its recorded callbacks.
    pub cbs: Callbacks,
    user: String,
    app_id: String,
    seq: u64,
}

/// Shared meaning of a legacy code.
pub fn kind_of(code: i32) -> K {
    match code {
        1003 => K::NotLoggedIn,
        209 => K::InvalidUser,
        206 => K::InvalidToken,
        204 => K::TokenExpired,
        1004 | 1005 => K::InvalidArgument,
        703 => K::PeerOffline,
        704 => K::CallTimeout,
        _ => K::Other,
    }
}

fn fail(code: i32) -> Fail {
    Fail { kind: kind_of(code), code }
}

fn code(arg: &str) -> i32 {
    arg.parse().expect("numeric legacy code")
}

impl LegacyDriver {
    /// An instance for `app_id` with the options exactly as given (endpoint included), e.g. a
    /// custom connector or an app ID the hub does not serve. Instances of a hub through a
    /// backend come from [`Backend::legacy`](crate::Backend::legacy).
    pub fn with_endpoint(app_id: &str, user: &str, options: SignalingOptions) -> Self {
        let sig = Signaling::create_instance_with(app_id, options);
        let (rec, cbs) = recorder();
        sig.callback_set(rec);
        Self { sig, cbs, user: user.to_owned(), app_id: app_id.to_owned(), seq: 0 }
    }

    fn next_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}-{}", self.seq)
    }

    /// Waits until every call made so far has been processed (a `dbg` round trip).
    pub async fn fence(&mut self) {
        let tag = self.next_id("fence");
        self.sig.dbg("fence", &tag);
        self.cbs.wait_for("fence", |c| c.name == "on_dbg" && c.args[1] == tag).await;
    }

    /// Takes an `on_error(name, …)` callback already received, if any, and returns its code.
    pub fn take_error(&mut self, name: &str) -> Option<i32> {
        let cb = self.cbs.take_pending(|c| c.name == "on_error" && c.args[0] == name)?;
        Some(code(&cb.args[1]))
    }
}

#[async_trait]
impl Driver for LegacyDriver {
    fn api(&self) -> Api {
        Api::Legacy
    }

    fn user(&self) -> &str {
        &self.user
    }

    async fn login(&mut self, token: Option<&str>) -> Outcome {
        self.sig.login(&self.app_id, &self.user, token.unwrap_or("_no_need_token"), 0, "");
        let cb = self.cbs.wait_any(&["on_login_success", "on_login_failed"]).await;
        if cb.name == "on_login_success" { Ok(()) } else { Err(fail(code(&cb.args[0]))) }
    }

    async fn logout(&mut self) -> Outcome {
        self.sig.logout();
        let cb = self.cbs.wait("on_logout").await;
        match code(&cb.args[0]) {
            101 => Ok(()),
            108 => Err(Fail { kind: K::NotLoggedIn, code: 108 }),
            c => Err(fail(c)),
        }
    }

    async fn send_peer(&mut self, to: &str, text: &str) -> Outcome {
        let id = self.next_id("msg");
        self.sig.message_instant_send(to, 0, text, &id);
        let cb = self
            .cbs
            .wait_for("send result", |c| {
                matches!(c.name, "on_message_send_success" | "on_message_send_error") && c.args[0] == id
            })
            .await;
        if cb.name == "on_message_send_success" { Ok(()) } else { Err(fail(code(&cb.args[1]))) }
    }

    async fn recv_peer(&mut self) -> (String, String) {
        let cb = self.cbs.wait("on_message_instant_receive").await;
        (cb.args[0].clone(), cb.args[2].clone())
    }

    async fn query_online(&mut self, user: &str) -> Outcome<bool> {
        self.sig.query_user_status(user);
        let cb = self
            .cbs
            .wait_for("query result", |c| {
                c.name == "on_query_user_status_result"
                    || (c.name == "on_error" && c.args[0] == "query_user_status")
            })
            .await;
        if cb.name == "on_error" { Err(fail(code(&cb.args[1]))) } else { Ok(cb.args[1] == "1") }
    }

    async fn set_attr(&mut self, key: &str, value: &str) -> Outcome {
        self.sig.set_attr(key, value);
        self.fence().await;
        match self.take_error("set_attr") {
            Some(c) => Err(fail(c)),
            None => Ok(()),
        }
    }

    async fn get_attr(&mut self, user: &str, key: &str) -> Outcome<String> {
        let op = if user == self.user { "get_attr" } else { "get_user_attr" };
        if user == self.user {
            self.sig.get_attr(key)
        } else {
            self.sig.get_user_attr(user, key)
        }
        let cb = self
            .cbs
            .wait_for("attribute result", |c| {
                c.name == "on_user_attr_result" || (c.name == "on_error" && c.args[0] == op)
            })
            .await;
        if cb.name == "on_error" { Err(fail(code(&cb.args[1]))) } else { Ok(cb.args[2].clone()) }
    }

    async fn get_attrs(&mut self, user: &str) -> Outcome<BTreeMap<String, String>> {
        self.sig.get_user_attr_all(user);
        let cb = self
            .cbs
            .wait_for("attributes result", |c| {
                c.name == "on_user_attr_all_result"
                    || (c.name == "on_error" && c.args[0] == "get_user_attr_all")
            })
            .await;
        if cb.name == "on_error" {
            return Err(fail(code(&cb.args[1])));
        }
        Ok(serde_json::from_str(&cb.args[1]).expect("attributes are a JSON object of strings"))
    }

    async fn expect_kicked(&mut self) -> i32 {
        code(&self.cbs.wait("on_logout").await.args[0])
    }

    /// The legacy call reports every failure through `on_invite_failed`, a [`CallNote::Failed`].
    async fn invite(&mut self, to: &str, channel: &str, extra: &str) -> Outcome {
        self.sig.channel_invite_user2(channel, to, extra);
        self.fence().await;
        Ok(())
    }

    async fn answer(&mut self, from: &str, channel: &str, accept: bool, extra: &str) -> Outcome {
        let op = if accept {
            self.sig.channel_invite_accept(channel, from, 0, extra);
            "channel_invite_accept"
        } else {
            self.sig.channel_invite_refuse(channel, from, 0, extra);
            "channel_invite_refuse"
        };
        self.fence().await;
        match self.take_error(op) {
            Some(c) => Err(fail(c)),
            None => Ok(()),
        }
    }

    async fn end_call(&mut self, peer: &str, channel: &str) -> Outcome {
        self.sig.channel_invite_end(channel, peer, 0);
        let mine = |c: &crate::Cb| c.name == "on_invite_end_by_myself" && c.args[..2] == [channel, peer];
        self.cbs.wait_for("on_invite_end_by_myself", mine).await;
        Ok(())
    }

    async fn next_call(&mut self) -> CallNote {
        const NAMES: [&str; 6] = [
            "on_invite_received",
            "on_invite_received_by_peer",
            "on_invite_accepted_by_peer",
            "on_invite_refused_by_peer",
            "on_invite_failed",
            "on_invite_end_by_peer",
        ];
        let cb = self.cbs.wait_any(&NAMES).await;
        let a = |i: usize| cb.args[i].clone();
        match cb.name {
            "on_invite_received" => CallNote::Incoming { from: a(1), channel: a(0), extra: a(3) },
            "on_invite_received_by_peer" => CallNote::ReceivedByPeer { peer: a(1), channel: a(0) },
            "on_invite_accepted_by_peer" => CallNote::Accepted { peer: a(1), channel: a(0), extra: a(3) },
            "on_invite_refused_by_peer" => CallNote::Refused { peer: a(1), channel: a(0), extra: a(3) },
            "on_invite_failed" => CallNote::Failed { peer: a(1), channel: a(0), fail: fail(code(&a(3))) },
            _ => CallNote::Ended { peer: a(1), channel: a(0) },
        }
    }
}

impl Drop for LegacyDriver {
    fn drop(&mut self) {
        self.sig.destroy();
    }
}
