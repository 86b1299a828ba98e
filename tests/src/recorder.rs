//! Records legacy callbacks as `name(arg, …)` lines, for waiting on them and for transcripts.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use sigshim_legacy::SignalingCallbacks;
use std::sync::mpsc;

/// How long a test waits for one expected callback or event before failing.
pub const WAIT: Duration = Duration::from_secs(5);

/// One recorded callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cb {
    /// Callback name, e.g. `on_login_success`.
    pub name: &'static str,
    /// Its arguments, rendered as text.
    pub args: Vec<String>,
}

impl fmt::Display for Cb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name, self.args.join(", "))
    }
}

/// The callback sink side: every callback becomes a [`Cb`].
#[derive(Debug)]
pub struct Recorder {
    tx: Mutex<mpsc::Sender<Cb>>,
    log: Arc<Mutex<Vec<Cb>>>,
}

/// The test side: waits for callbacks, keeping the ones it skipped for later waits.
///
/// Waiting blocks a `spawn_blocking` thread on a std channel with a real-time deadline. While it
/// blocks, a paused tokio clock does not auto-advance, so tests with paused time stay
/// deterministic although callbacks come from the facade's dispatcher thread.
#[derive(Debug)]
pub struct Callbacks {
    rx: Arc<Mutex<mpsc::Receiver<Cb>>>,
    backlog: VecDeque<Cb>,
    log: Arc<Mutex<Vec<Cb>>>,
}

/// A connected recorder and reader.
pub fn recorder() -> (Arc<Recorder>, Callbacks) {
    let (tx, rx) = mpsc::channel();
    let log = Arc::new(Mutex::new(Vec::new()));
    let rec = Recorder { tx: Mutex::new(tx), log: log.clone() };
    (Arc::new(rec), Callbacks { rx: Arc::new(Mutex::new(rx)), backlog: VecDeque::new(), log })
}

impl Callbacks {
    /// Waits for the first callback (backlog first) that `pred` accepts and removes it.
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Cb) -> bool) -> Cb {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i).expect("index from position");
        }
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let rx = self.rx.clone();
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let next = tokio::task::spawn_blocking(move || rx.lock().recv_timeout(left))
                .await
                .expect("the waiting thread does not panic");
            match next {
                Ok(cb) if pred(&cb) => return cb,
                Ok(cb) => self.backlog.push_back(cb),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("callbacks closed while waiting for {what}")
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {WAIT:?}; pending: {:?}", self.pending())
                }
            }
        }
    }

    /// Waits for the next callback named `name`.
    pub async fn wait(&mut self, name: &str) -> Cb {
        self.wait_for(name, |c| c.name == name).await
    }

    /// Waits for one of the named callbacks.
    pub async fn wait_any(&mut self, names: &[&str]) -> Cb {
        self.wait_for(&names.join(" | "), |c| names.contains(&c.name)).await
    }

    /// Removes and returns an already received callback that `pred` accepts, without waiting.
    pub fn take_pending(&mut self, pred: impl Fn(&Cb) -> bool) -> Option<Cb> {
        self.pending();
        let i = self.backlog.iter().position(pred)?;
        self.backlog.remove(i)
    }

    /// Callbacks received but not yet consumed by a wait.
    pub fn pending(&mut self) -> Vec<String> {
        while let Ok(cb) = self.rx.lock().try_recv() {
            self.backlog.push_back(cb);
        }
        self.backlog.iter().map(ToString::to_string).collect()
    }

    /// Every callback so far, in order, as lines.
    pub fn transcript(&self) -> Vec<String> {
        self.log.lock().iter().map(ToString::to_string).collect()
    }
}

impl Recorder {
    fn rec(&self, name: &'static str, args: Vec<String>) {
        let cb = Cb { name, args };
        self.log.lock().push(cb.clone());
        let _ = self.tx.lock().send(cb);
    }
}

macro_rules! record {
    ($($name:ident($($arg:ident: $t:ty),*);)+) => {
        impl SignalingCallbacks for Recorder {
            $(fn $name(&self, $($arg: $t),*) {
                self.rec(stringify!($name), vec![$(format!("{}", Show(&$arg))),*]);
            })+
        }
    };
}

/// Renders callback arguments (lists as `[a, b]`).
struct Show<'a, T: ?Sized>(&'a T);

impl fmt::Display for Show<'_, &str> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

macro_rules! show_plain {
    ($($t:ty),*) => {$(
        impl fmt::Display for Show<'_, $t> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { write!(f, "{}", self.0) }
        }
    )*};
}
show_plain!(u32, i32);

impl<T: fmt::Display> fmt::Display for Show<'_, &[T]> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "[{}]", items.join(" "))
    }
}

record! {
    on_reconnecting(nretry: u32);
    on_reconnected(fd: u32);
    on_login_success(uid: u32, fd: u32);
    on_login_failed(ecode: i32);
    on_logout(ecode: i32);
    on_channel_joined(channel_id: &str);
    on_channel_join_failed(channel_id: &str, ecode: i32);
    on_channel_leaved(channel_id: &str, ecode: i32);
    on_channel_user_joined(account: &str, uid: u32);
    on_channel_user_leaved(account: &str, uid: u32);
    on_channel_user_list(accounts: &[String], uids: &[u32]);
    on_channel_query_user_num_result(channel_id: &str, ecode: i32, num: i32);
    on_channel_query_user_is_in(channel_id: &str, account: &str, is_in: i32);
    on_channel_attr_updated(channel_id: &str, name: &str, value: &str, kind: &str);
    on_invite_received(channel_id: &str, account: &str, uid: u32, extra: &str);
    on_invite_received_by_peer(channel_id: &str, account: &str, uid: u32);
    on_invite_accepted_by_peer(channel_id: &str, account: &str, uid: u32, extra: &str);
    on_invite_refused_by_peer(channel_id: &str, account: &str, uid: u32, extra: &str);
    on_invite_failed(channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str);
    on_invite_end_by_peer(channel_id: &str, account: &str, uid: u32, extra: &str);
    on_invite_end_by_myself(channel_id: &str, account: &str, uid: u32);
    on_invite_msg(channel_id: &str, account: &str, uid: u32, msg_type: &str, msg_data: &str, extra: &str);
    on_message_send_error(message_id: &str, ecode: i32);
    on_message_send_progress(account: &str, message_id: &str, kind: &str, info: &str);
    on_message_send_success(message_id: &str);
    on_message_app_received(msg: &str);
    on_message_instant_receive(account: &str, uid: u32, msg: &str);
    on_message_channel_receive(channel_id: &str, account: &str, uid: u32, msg: &str);
    on_log(txt: &str);
    on_invoke_ret(call_id: &str, err: &str, resp: &str);
    on_msg(from: &str, kind: &str, msg: &str);
    on_user_attr_result(account: &str, name: &str, value: &str);
    on_user_attr_all_result(account: &str, value: &str);
    on_error(name: &str, ecode: i32, desc: &str);
    on_query_user_status_result(name: &str, status: &str);
    on_dbg(a: &str, b: &str);
    on_bc_call_result(reason: &str, json_ret: &str, call_id: &str);
}
