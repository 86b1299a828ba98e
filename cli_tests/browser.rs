//! The drop-in `AgoraSig.js` in headless Chromium, against `sigshim serve`: a page written for
//! the legacy Web SDK 1.4.0 (clients/web/test/legacy-page.html, whose only sigshim-specific part
//! is its script `src`) logs in, chats, joins a channel and places calls through the server's
//! legacy session endpoint, meeting a Rust facade user (`sigshim_legacy::Signaling`) and a core
//! client (`sigshim::Client`) there.
//!
//! Needs `node`, Chromium (`/usr/bin/chromium`) and `npm ci` in clients/web (tried once when
//! `node_modules` is missing). Without them the test prints one line and passes, unless
//! `SIGSHIM_REQUIRE_BROWSER=1` makes that a failure.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sigshim_conformance::proxy::Proxy;
use sigshim_legacy::{Signaling, SignalingCallbacks, SignalingOptions, uid_for};

#[path = "common/served.rs"]
mod served;
use served::Served;

const APP: &str = "970CA35de60c44645bbae8a215061b33";
/// How long any one awaited event may take.
const DEADLINE: Duration = Duration::from_secs(15);
/// The server's grace period for broken links (short, so a refused resume is testable).
const GRACE_MS: u64 = 3000;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/web")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// `Ok(())` when node, Chromium and playwright-core are there; else what to install.
fn prerequisites() -> Result<(), String> {
    let chromium = Path::new("/usr/bin/chromium").is_file() || on_path("chromium");
    let node = on_path("node");
    if !chromium || !node {
        return Err("browser tests skipped: install chromium and node (and run npm ci in clients/web)".into());
    }
    if !web_dir().join("node_modules/playwright-core").is_dir() {
        let ok = on_path("npm")
            && Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--prefix"])
                .arg(web_dir())
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !ok || !web_dir().join("node_modules/playwright-core").is_dir() {
            return Err(
                "browser tests skipped: run npm ci in clients/web (needs npm and the npm registry)".into()
            );
        }
    }
    Ok(())
}

/// `sigshim serve` with a short grace period, and its configuration file (removed when dropped).
struct ShortGrace {
    served: Served,
    config: PathBuf,
}

impl ShortGrace {
    fn start() -> ShortGrace {
        let config = std::env::temp_dir().join(format!("sigshim-browser-{}.toml", std::process::id()));
        std::fs::write(&config, format!("[hub]\nsession_grace_ms = {GRACE_MS}\n")).expect("config file");
        let served = Served::start(APP, &["--config", config.to_str().expect("a UTF-8 temporary path")]);
        ShortGrace { served, config }
    }
}

impl Drop for ShortGrace {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.config);
    }
}

/// The node driver (clients/web/test/driver.mjs) and its Chromium.
struct Browser {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    next_id: u64,
    /// What the pages logged (the driver's stderr): shown only when the test fails.
    console: Arc<parking_lot::Mutex<Vec<String>>>,
}

impl Browser {
    fn start(sdk_origin: &str) -> Browser {
        let mut child = Command::new("node")
            .arg(web_dir().join("test/driver.mjs"))
            .args(["--sdk-origin", sdk_origin, "legacy-page.html"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node starts");
        let console = Arc::new(parking_lot::Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped stderr");
        let keep = console.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                keep.lock().push(line);
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let browser = Browser { child, stdin, lines, next_id: 1, console };
        let ready: Value = serde_json::from_str(&browser.line(Duration::from_secs(60))).expect("JSON");
        assert_eq!(ready["ready"], true, "the driver could not open the page: {ready}");
        browser
    }

    fn line(&self, within: Duration) -> String {
        self.lines.recv_timeout(within).expect("the driver answers in time")
    }

    /// Sends one command and returns its value, or the page's error.
    fn command(&mut self, mut cmd: Value) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        cmd["id"] = json!(id);
        let stdin = self.stdin.as_mut().expect("driver stdin");
        writeln!(stdin, "{cmd}").expect("write to the driver");
        stdin.flush().expect("flush");
        loop {
            let answer: Value =
                serde_json::from_str(&self.line(Duration::from_secs(60))).expect("JSON answer");
            if answer["id"] != json!(id) {
                continue;
            }
            return if answer["ok"] == true {
                Ok(answer["value"].clone())
            } else {
                Err(answer["error"].as_str().unwrap_or("?").to_owned())
            };
        }
    }

    /// Evaluates a JS expression in page `page` (awaiting a promise).
    fn eval_in(&mut self, page: usize, js: &str) -> Value {
        self.command(json!({ "eval": js, "page": page })).unwrap_or_else(|e| panic!("{js}: {e}"))
    }

    fn eval(&mut self, js: &str) -> Value {
        self.eval_in(0, js)
    }

    /// The next `n` callbacks `who` received in page `page`, in order, as `[name, args…]`.
    fn next_in(&mut self, page: usize, who: &str, n: usize) -> Value {
        self.eval_in(page, &format!("next({who:?}, {n}, {})", DEADLINE.as_millis()))
    }

    fn next(&mut self, who: &str, n: usize) -> Value {
        self.next_in(0, who, n)
    }

    /// Callbacks `who` received that no `next` took yet.
    fn pending(&mut self, page: usize, who: &str) -> Value {
        self.eval_in(page, &format!("pending({who:?})"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for line in self.console.lock().iter() {
                eprintln!("{line}");
            }
        }
        drop(self.stdin.take());
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Records a facade instance's callbacks as `[name, args…]`, as the page does.
struct Recorder(parking_lot::Mutex<mpsc::Sender<Value>>);

impl Recorder {
    fn put(&self, v: Value) {
        let _ = self.0.lock().send(v);
    }
}

impl SignalingCallbacks for Recorder {
    fn on_login_success(&self, uid: u32, _fd: u32) {
        self.put(json!(["onLoginSuccess", uid]));
    }
    fn on_login_failed(&self, ecode: i32) {
        self.put(json!(["onLoginFailed", ecode]));
    }
    fn on_logout(&self, ecode: i32) {
        self.put(json!(["onLogout", ecode]));
    }
    fn on_channel_joined(&self, channel_id: &str) {
        self.put(json!(["onChannelJoined", channel_id]));
    }
    fn on_channel_user_joined(&self, account: &str, uid: u32) {
        self.put(json!(["onChannelUserJoined", account, uid]));
    }
    fn on_channel_user_leaved(&self, account: &str, uid: u32) {
        self.put(json!(["onChannelUserLeaved", account, uid]));
    }
    fn on_channel_user_list(&self, accounts: &[String], uids: &[u32]) {
        self.put(json!(["onChannelUserList", accounts, uids]));
    }
    fn on_channel_attr_updated(&self, channel_id: &str, name: &str, value: &str, kind: &str) {
        self.put(json!(["onChannelAttrUpdated", channel_id, name, value, kind]));
    }
    fn on_invite_received(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.put(json!(["onInviteReceived", channel_id, account, uid, extra]));
    }
    fn on_invite_received_by_peer(&self, channel_id: &str, account: &str, uid: u32) {
        self.put(json!(["onInviteReceivedByPeer", channel_id, account, uid]));
    }
    fn on_invite_accepted_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.put(json!(["onInviteAcceptedByPeer", channel_id, account, uid, extra]));
    }
    fn on_invite_refused_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.put(json!(["onInviteRefusedByPeer", channel_id, account, uid, extra]));
    }
    fn on_invite_failed(&self, channel_id: &str, account: &str, uid: u32, ecode: i32, extra: &str) {
        self.put(json!(["onInviteFailed", channel_id, account, uid, ecode, extra]));
    }
    fn on_invite_end_by_peer(&self, channel_id: &str, account: &str, uid: u32, extra: &str) {
        self.put(json!(["onInviteEndByPeer", channel_id, account, uid, extra]));
    }
    fn on_invite_end_by_myself(&self, channel_id: &str, account: &str, uid: u32) {
        self.put(json!(["onInviteEndByMyself", channel_id, account, uid]));
    }
    fn on_invite_msg(
        &self,
        channel_id: &str,
        account: &str,
        uid: u32,
        msg_type: &str,
        msg_data: &str,
        extra: &str,
    ) {
        self.put(json!(["onInviteMsg", channel_id, account, uid, msg_type, msg_data, extra]));
    }
    fn on_message_send_error(&self, message_id: &str, ecode: i32) {
        self.put(json!(["onMessageSendError", message_id, ecode]));
    }
    fn on_message_send_success(&self, message_id: &str) {
        self.put(json!(["onMessageSendSuccess", message_id]));
    }
    fn on_message_instant_receive(&self, account: &str, uid: u32, msg: &str) {
        self.put(json!(["onMessageInstantReceive", account, uid, msg]));
    }
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, uid: u32, msg: &str) {
        self.put(json!(["onMessageChannelReceive", channel_id, account, uid, msg]));
    }
    fn on_error(&self, name: &str, ecode: i32, desc: &str) {
        self.put(json!(["onError", name, ecode, desc]));
    }
}

/// A Rust facade user on the server.
struct Facade {
    sig: Arc<Signaling>,
    rx: mpsc::Receiver<Value>,
}

impl Facade {
    fn login(url: &str, account: &str) -> Facade {
        let (tx, rx) = mpsc::channel();
        let sig = Signaling::create_instance_with(APP, SignalingOptions::default().url(url));
        sig.callback_set(Arc::new(Recorder(parking_lot::Mutex::new(tx))));
        sig.login(APP, account, "_no_need_token", 0, "");
        let f = Facade { sig, rx };
        assert_eq!(f.next(1), vec![json!(["onLoginSuccess", uid_for(account)])]);
        f
    }

    /// The next `n` callbacks, each within the deadline.
    fn next(&self, n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| {
                self.rx
                    .recv_timeout(DEADLINE)
                    .unwrap_or_else(|_| panic!("facade callback {} of {n} in time", i + 1))
            })
            .collect()
    }

    /// Nothing more arrived (checked after a later event proved the earlier ones are through).
    fn none_pending(&self) -> Vec<Value> {
        self.rx.try_iter().collect()
    }
}

impl Drop for Facade {
    fn drop(&mut self) {
        self.sig.destroy();
    }
}

/// Events whose order the protocol leaves open, sorted by their text.
fn unordered(events: Value) -> Vec<Value> {
    let mut v = events.as_array().cloned().unwrap_or_default();
    v.sort_by_key(|e| e.to_string());
    v
}

/// The first `n` items of a recorded callback (`[name, args…]`).
fn head(event: &Value, n: usize) -> Vec<Value> {
    event.as_array().map(|a| a.iter().take(n).cloned().collect()).unwrap_or_default()
}

fn js(s: &str) -> String {
    serde_json::to_string(s).expect("a JS string literal")
}

#[test]
fn a_legacy_web_page_runs_unchanged_against_sigshim_serve() {
    if let Err(why) = prerequisites() {
        if std::env::var("SIGSHIM_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("{why} (SIGSHIM_REQUIRE_BROWSER=1)");
        }
        println!("{why}");
        return;
    }
    let started = Instant::now();
    let server = ShortGrace::start();
    let served = &server.served;
    let origin = served.origin();

    // The server hands out the SDK and the demo page.
    let sdk = served.get("/sdk/AgoraSig.js");
    assert!(sdk.starts_with("HTTP/1.1 200"), "{}", &sdk[..sdk.len().min(300)]);
    assert!(sdk.contains("getSDKVersion_int"), "the served SDK is AgoraSig.js");
    let demo = served.get("/");
    assert!(
        demo.starts_with("HTTP/1.1 200") && demo.contains("AgoraSig.js"),
        "{}",
        &demo[..demo.len().min(300)]
    );

    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    // The browser reaches the server through a TCP proxy the test controls: the network between
    // them can be cut from outside the page.
    let server_addr = served.addr().parse().expect("the server's address");
    let proxy = rt.block_on(Proxy::start(server_addr));
    let sdk_origin = format!("http://{}", proxy.addr());
    let mut b = Browser::start(&sdk_origin);
    let uid = |a: &str| json!(uid_for(a));

    // The page loaded the SDK from the server (another origin than its own) and connects there.
    let page_origin = b.eval("location.origin");
    assert_ne!(page_origin, json!(sdk_origin));
    assert_eq!(
        b.eval("[typeof Signal, LOGIN_STATE_NOT_LOGIN, LOGIN_STATE_LOGINING, LOGIN_STATE_LOGINED, LOGIN_STATE_RECONNECTING, SIGNALING_SDK_VERSION, Signal('x').getSDKVersion(), new Signal('x').getSDKVersion_int()]"),
        json!(["function", 0, 1, 2, 3, "1.4.0", "1.4.0", 1010400000u64])
    );

    // Where sessions connect: the script's own origin, unless the page says otherwise.
    let ws_origin = sdk_origin.replacen("http://", "ws://", 1);
    assert_eq!(
        b.eval(
            "(function () { var s = Signal('a'); var before = Signal._endpointFor(s); \
             s.setup_debugging('ap_url', 'https://example.test:8443'); return [before, Signal._endpointFor(s)]; })()"
        ),
        json!([format!("{ws_origin}/legacy"), "wss://example.test:8443/legacy"])
    );

    // --- Login: nothing fires synchronously; getStatus is synchronous.
    assert_eq!(b.eval(&format!("login('web', {}, 'web')", js(APP))), json!(1));
    assert_eq!(b.next("web", 1), json!([["onLoginSuccess", uid("web")]]));
    assert_eq!(
        b.eval("[sessions.web.getStatus(), sessions.web.state, sessions.web.account, sessions.web.uid]"),
        json!([2, 2, "web", uid("web")])
    );

    let rust = Facade::login(&served.url, "rust");
    let (core, mut core_events) = sigshim::Client::builder(APP)
        .connector(Arc::new(sigshim::transport::WsConnector::new(served.url.clone())))
        .build();
    rt.block_on(core.login(None, "core")).expect("the core client logs in");

    // --- Instant messages, both ways, with each kind of user.
    b.eval("sessions.web.messageInstantSend('rust', 'hello rust', cbFor('web', 'messageInstantSend'))");
    assert_eq!(b.next("web", 1), json!([["cb:messageInstantSend", false]]));
    assert_eq!(rust.next(1), vec![json!(["onMessageInstantReceive", "web", uid_for("web"), "hello rust"])]);
    rust.sig.message_instant_send("web", 0, "hi web {\"x\":1}", "r1");
    assert_eq!(rust.next(1), vec![json!(["onMessageSendSuccess", "r1"])]);
    assert_eq!(b.next("web", 1), json!([["onMessageInstantReceive", "rust", 0, "hi web {\"x\":1}"]]));

    rt.block_on(core.send_message_to_peer("web", &sigshim::Message::text("from core"), Default::default()))
        .expect("core sends to the page");
    assert_eq!(b.next("web", 1), json!([["onMessageInstantReceive", "core", 0, "from core"]]));
    b.eval("sessions.web.messageInstantSend('core', 'to core', cbFor('web', 'messageInstantSend'))");
    assert_eq!(b.next("web", 1), json!([["cb:messageInstantSend", false]]));
    let got = rt.block_on(async {
        tokio::time::timeout(DEADLINE, async {
            loop {
                if let Some(sigshim::ClientEvent::MessageFromPeer { peer_id, message, .. }) =
                    core_events.recv().await
                {
                    return (peer_id, message.text_or_description().to_owned());
                }
            }
        })
        .await
    });
    assert_eq!(
        got.expect("the core client gets the page's message"),
        ("web".to_owned(), "to core".to_owned())
    );
    // A message over the legacy size limit fails: cb(true).
    b.eval("sessions.web.messageInstantSend('rust', 'x'.repeat(20000), cbFor('web', 'messageInstantSend'))");
    assert_eq!(b.next("web", 1), json!([["cb:messageInstantSend", true]]));

    // --- Channel: member list then the attribute replay; the echo; force-send; attributes.
    rust.sig.channel_join("lobby");
    assert_eq!(
        rust.next(2),
        vec![json!(["onChannelJoined", "lobby"]), json!(["onChannelUserList", ["rust"], [uid_for("rust")]])]
    );
    rust.sig.channel_set_attr("lobby", "topic", "{\"t\":\"hello\"}");
    assert_eq!(
        rust.next(1),
        vec![json!(["onChannelAttrUpdated", "lobby", "topic", "{\"t\":\"hello\"}", "update"])]
    );
    assert_eq!(b.eval("join('web', 'lobby')"), json!("joining"));
    let joined = b.next("web", 3);
    assert_eq!(joined[0], json!(["onChannelJoined"]));
    let mut users = joined[1][1].as_array().expect("users").clone();
    users.sort_by_key(|u| u[0].as_str().unwrap_or_default().to_owned());
    assert_eq!(users, vec![json!(["rust", uid("rust")]), json!(["web", uid("web")])], "{joined}");
    assert_eq!(joined[2], json!(["onChannelAttrUpdated", "topic", "{\"t\":\"hello\"}", "update"]));
    assert_eq!(b.eval("channels.web.state"), json!("joined"));
    assert_eq!(rust.next(1), vec![json!(["onChannelUserJoined", "web", uid_for("web")])]);

    let (lobby, mut lobby_events) = core.create_channel("lobby");
    rt.block_on(lobby.join()).expect("the core client joins");
    assert_eq!(b.next("web", 1), json!([["onChannelUserJoined", "core", uid("core")]]));
    assert_eq!(rust.next(1), vec![json!(["onChannelUserJoined", "core", uid_for("core")])]);

    b.eval("channels.web.messageChannelSend('hi all', cbFor('web', 'messageChannelSend'))");
    assert_eq!(
        b.next("web", 2),
        json!([["cb:messageChannelSend"], ["onMessageChannelReceive", "web", uid("web"), "hi all"]])
    );
    assert_eq!(
        rust.next(1),
        vec![json!(["onMessageChannelReceive", "lobby", "web", uid_for("web"), "hi all"])]
    );
    let got = rt.block_on(async {
        tokio::time::timeout(DEADLINE, async {
            loop {
                if let Some(sigshim::ChannelEvent::MessageReceived { peer_id, message }) =
                    lobby_events.recv().await
                {
                    return (peer_id, message.text_or_description().to_owned());
                }
            }
        })
        .await
    });
    assert_eq!(got.expect("the core member gets it"), ("web".to_owned(), "hi all".to_owned()));

    rust.sig.message_channel_send_force("lobby", "forced", "f1");
    assert_eq!(b.next("web", 1), json!([["onMessageChannelReceive", "rust", uid("rust"), "forced"]]));
    let r = rust.next(2);
    assert!(r.contains(&json!(["onMessageSendSuccess", "f1"])), "{r:?}");

    // The method's cb() (the call is done) and the update event (from the channel) race.
    b.eval("channels.web.channelSetAttr('color', 'blue', cbFor('web', 'channelSetAttr'))");
    assert_eq!(
        unordered(b.next("web", 2)),
        unordered(json!([["onChannelAttrUpdated", "color", "blue", "update"], ["cb:channelSetAttr"]]))
    );
    assert_eq!(rust.next(1), vec![json!(["onChannelAttrUpdated", "lobby", "color", "blue", "update"])]);
    b.eval("channels.web.channelDelAttr('color', cbFor('web', 'channelDelAttr'))");
    let del = unordered(b.next("web", 2));
    assert_eq!(del[0], json!(["cb:channelDelAttr"]));
    assert_eq!(head(&del[1], 2), [json!("onChannelAttrUpdated"), json!("color")], "{del:?}");
    assert_eq!(del[1][3], json!("del"));
    assert_eq!(rust.next(1)[0][4], json!("del"));
    b.eval("channels.web.channelClearAttr(cbFor('web', 'channelClearAttr'))");
    let clear = unordered(b.next("web", 2));
    assert_eq!(clear[0], json!(["cb:channelClearAttr"]));
    assert_eq!(clear[1][3], json!("clear"), "{clear:?}");
    assert_eq!(rust.next(1)[0][4], json!("clear"));

    rt.block_on(lobby.leave()).expect("the core client leaves");
    assert_eq!(b.next("web", 1), json!([["onChannelUserLeaved", "core", uid("core")]]));
    assert_eq!(rust.next(1), vec![json!(["onChannelUserLeaved", "core", uid_for("core")])]);

    // --- invoke: err '' and a parsed response; a name without the prefix is refused locally.
    b.eval("sessions.web.invoke('io.agora.signal.user_query_user_status', {account: 'rust'}, cbFor('web', 'invoke'))");
    let inv = b.next("web", 1);
    assert_eq!(inv[0][0], json!("cb:invoke"));
    assert_eq!(inv[0][1], json!(""), "{inv}");
    assert!(inv[0][2].is_object(), "the response arrives parsed: {inv}");
    b.eval(
        "sessions.web.invoke('io.agora.signal.channel_query_num', {name: 'lobby'}, cbFor('web', 'invoke'))",
    );
    let inv = b.next("web", 1);
    assert_eq!(inv[0][1], json!(""), "{inv}");
    assert_eq!(inv[0][2]["num"], json!(2), "{inv}");

    // --- Calls, with `extra` byte for byte both ways.
    // Page calls the facade; accepted; the page ends it (synchronously onInviteEndByMyself).
    let extra = r#"{"k":"v","n":[1,2]}"#;
    b.eval(&format!("invite('web', 'room1', 'rust', {})", js(extra)));
    assert_eq!(rust.next(1), vec![json!(["onInviteReceived", "room1", "web", uid_for("web"), extra])]);
    assert_eq!(b.next("web", 1), json!([["onInviteReceivedByPeer", ""]]));
    rust.sig.channel_invite_accept("room1", "web", 0, r#"{"a":1}"#);
    assert_eq!(b.next("web", 1), json!([["onInviteAcceptedByPeer", r#"{"a":1}"#]]));
    assert_eq!(
        b.eval(
            r#"(function () { callOf('web', 'room1', 'rust').channelInviteEnd('{"bye":1}'); return pending('web'); })()"#
        ),
        json!([["onInviteEndByMyself", ""]])
    );
    b.next("web", 1);
    // The end's extra reaches the peer.
    assert_eq!(
        rust.next(1),
        vec![json!(["onInviteEndByPeer", "room1", "web", uid_for("web"), r#"{"bye":1}"#])]
    );

    // The facade calls the page; the page refuses with its own JSON.
    rust.sig.channel_invite_user2("room2", "web", r#"{"from":"rust"}"#);
    assert_eq!(
        b.next("web", 1),
        json!([["onInviteReceived", {"channelName": "room2", "peer": "rust", "extra": r#"{"from":"rust"}"#}]])
    );
    assert_eq!(rust.next(1), vec![json!(["onInviteReceivedByPeer", "room2", "web", uid_for("web")])]);
    b.eval(r#"callOf('web', 'room2', 'rust').channelInviteRefuse('{"status":1}')"#);
    assert_eq!(
        rust.next(1),
        vec![json!(["onInviteRefusedByPeer", "room2", "web", uid_for("web"), r#"{"status":1}"#])]
    );

    // The facade calls; the page accepts, sends DTMF; the facade ends the call.
    rust.sig.channel_invite_user2("room3", "web", "");
    assert_eq!(b.next("web", 1)[0][0], json!("onInviteReceived"));
    assert_eq!(rust.next(1)[0][0], json!("onInviteReceivedByPeer"));
    b.eval(r#"callOf('web', 'room3', 'rust').channelInviteAccept('{"ok":true}')"#);
    assert_eq!(
        rust.next(1),
        vec![json!(["onInviteAcceptedByPeer", "room3", "web", uid_for("web"), r#"{"ok":true}"#])]
    );
    b.eval("callOf('web', 'room3', 'rust').channelInviteDTMF('12#')");
    let dtmf = rust.next(1);
    assert_eq!(
        head(&dtmf[0], 6),
        [json!("onInviteMsg"), json!("room3"), json!("web"), uid("web"), json!("dtmf"), json!("12#")]
    );
    rust.sig.channel_invite_end("room3", "web", 0);
    assert_eq!(rust.next(1), vec![json!(["onInviteEndByMyself", "room3", "web", uid_for("web")])]);
    let ended = b.next("web", 1);
    assert_eq!(ended[0][0], json!("onInviteEndByPeer"), "{ended}");

    // The page calls and ends before any answer: the callee sees it end.
    b.eval("invite('web', 'room4', 'rust', '')");
    assert_eq!(rust.next(1)[0][0], json!("onInviteReceived"));
    assert_eq!(b.next("web", 1), json!([["onInviteReceivedByPeer", ""]]));
    assert_eq!(
        b.eval(
            "(function () { callOf('web', 'room4', 'rust').channelInviteEnd(); return pending('web'); })()"
        ),
        json!([["onInviteEndByMyself", ""]])
    );
    b.next("web", 1);
    assert_eq!(rust.next(1)[0][0], json!("onInviteEndByPeer"));

    // `_require_peer_online`: fails at once for an offline peer; pages read `.reason`.
    b.eval(r#"invite('web', 'room5', 'ghost', '{"_require_peer_online":1}')"#);
    let failed = b.next("web", 1);
    assert_eq!(failed[0][0], json!("onInviteFailed"), "{failed}");
    let why: Value = serde_json::from_str(failed[0][1].as_str().expect("a JSON text")).expect("JSON");
    assert_eq!(why["ecode"], json!(703), "{why}");
    assert_eq!(why["reason"], json!("peer offline"), "{why}");

    // `_timeout`: unanswered for 1 s.
    b.eval(r#"invite('web', 'room6', 'rust', '{"_timeout":1}')"#);
    assert_eq!(rust.next(1)[0][0], json!("onInviteReceived"));
    let timed = b.next("web", 2);
    assert_eq!(timed[0], json!(["onInviteReceivedByPeer", ""]));
    assert_eq!(timed[1][0], json!("onInviteFailed"), "{timed}");
    let why: Value = serde_json::from_str(timed[1][1].as_str().expect("a JSON text")).expect("JSON");
    assert_eq!(why["ecode"], json!(704), "{why}");
    let r = rust.next(1);
    assert_eq!(r[0][0], json!("onInviteEndByPeer"), "{r:?}");

    // --- Reconnect: the network cuts the link (both sockets close, no close frame) and refuses
    // new connections for a while; callbacks queued meanwhile arrive once, after onLoginSuccess
    // again.
    proxy.refuse(true);
    proxy.cut();
    b.eval("waitFor(function () { return sessions.web.getStatus() === 3; }, 5000)");
    rust.sig.message_instant_send("web", 0, "while away", "r2");
    assert_eq!(rust.next(1), vec![json!(["onMessageSendSuccess", "r2"])]);
    rust.sig.message_channel_send("lobby", "lobby while away", "r3");
    let r = rust.next(2);
    assert!(r.contains(&json!(["onMessageSendSuccess", "r3"])), "{r:?}");
    proxy.refuse(false);
    assert_eq!(
        b.next("web", 3),
        json!([
            ["onLoginSuccess", uid("web")],
            ["onMessageInstantReceive", "rust", 0, "while away"],
            ["onMessageChannelReceive", "rust", uid("rust"), "lobby while away"]
        ])
    );
    assert_eq!(b.eval("sessions.web.getStatus()"), json!(2));
    rust.sig.message_instant_send("web", 0, "after", "r4");
    assert_eq!(b.next("web", 1), json!([["onMessageInstantReceive", "rust", 0, "after"]]));
    assert_eq!(b.pending(0, "web"), json!([]), "nothing twice");
    assert_eq!(rust.next(1), vec![json!(["onMessageSendSuccess", "r4"])]);

    // --- A refused resume (the grace period ran out) logs in afresh, as 1.4.0 did, and joins
    // the page's channel again.
    b.command(json!({"hold": 0, "on": true})).expect("hold");
    b.command(json!({"drop": 0})).expect("drop");
    // The server logs the parked session out after its grace period: others see it leave.
    let left = rust.next(1);
    assert_eq!(left, vec![json!(["onChannelUserLeaved", "web", uid_for("web")])]);
    b.command(json!({"hold": 0, "on": false})).expect("release");
    let again = b.next("web", 3);
    assert_eq!(again[0], json!(["onLoginSuccess", uid("web")]));
    assert_eq!(again[1], json!(["onChannelJoined"]));
    assert_eq!(again[2][0], json!("onChannelUserList"));
    assert_eq!(rust.next(1), vec![json!(["onChannelUserJoined", "web", uid_for("web")])]);

    // --- Reconnect exhausted: onLogout(102) after reconnect_count tries (a second tab).
    assert_eq!(b.command(json!({"open": "legacy-page.html"})).expect("a second tab"), json!(1));
    b.eval_in(1, &format!("login('tab2', {}, 'tab2', '_no_need_token', 2, 30)", js(APP)));
    assert_eq!(b.next_in(1, "tab2", 1), json!([["onLoginSuccess", uid("tab2")]]));
    b.command(json!({"hold": 1, "on": true})).expect("hold");
    b.command(json!({"drop": 1})).expect("drop");
    assert_eq!(b.next_in(1, "tab2", 1), json!([["onLogout", 102]]));
    assert_eq!(b.eval_in(1, "sessions.tab2.getStatus()"), json!(0));
    b.command(json!({"hold": 1, "on": false})).expect("release");

    // --- Logout codes: 103 when the same account logs in elsewhere; logging out while logging
    // in is silent; 101 after logout().
    b.eval_in(1, &format!("login('dup', {}, 'dup')", js(APP)));
    assert_eq!(b.next_in(1, "dup", 1), json!([["onLoginSuccess", uid("dup")]]));
    let dup = Facade::login(&served.url, "dup");
    assert_eq!(b.next_in(1, "dup", 1), json!([["onLogout", 103]]));
    drop(dup);
    b.eval_in(
        1,
        &format!("login('quick', {}, 'quick'); sessions.quick.logout(); sessions.quick.getStatus()", js(APP)),
    );
    b.eval_in(1, &format!("login('late', {}, 'late')", js(APP)));
    assert_eq!(b.next_in(1, "late", 1), json!([["onLoginSuccess", uid("late")]]));
    // A page callback that throws is caught and logged; later callbacks still arrive.
    b.eval_in(
        1,
        "sessions.late.onMessageInstantReceive = function (a, u, m) { \
         record('late', 'onMessageInstantReceive', arguments); throw new Error('a page bug'); }",
    );
    rust.sig.message_instant_send("late", 0, "one", "t1");
    rust.sig.message_instant_send("late", 0, "two", "t2");
    assert_eq!(
        b.next_in(1, "late", 2),
        json!([["onMessageInstantReceive", "rust", 0, "one"], ["onMessageInstantReceive", "rust", 0, "two"]])
    );
    assert_eq!(
        rust.next(2),
        vec![json!(["onMessageSendSuccess", "t1"]), json!(["onMessageSendSuccess", "t2"])]
    );
    assert_eq!(b.pending(1, "quick"), json!([]), "a logout while logging in fires nothing");
    assert_eq!(b.eval_in(1, "sessions.quick.getStatus()"), json!(0));

    b.eval("channels.web.channelLeave()");
    assert_eq!(b.next("web", 1), json!([["onChannelLeaved", 0]]));
    assert_eq!(rust.next(1), vec![json!(["onChannelUserLeaved", "web", uid_for("web")])]);
    assert_eq!(b.eval("sessions.web.logout(); sessions.web.getStatus()"), json!(2));
    assert_eq!(b.next("web", 1), json!([["onLogout", 101]]));
    assert_eq!(
        b.eval("[sessions.web.getStatus(), sessions.web.channelJoin('x') === undefined]"),
        json!([0, true])
    );

    assert_eq!(rust.none_pending(), Vec::<Value>::new());
    rt.block_on(core.logout()).expect("core logout");
    let health = served.get("/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    // --- The demo page at `/`: log in, see the channel's members and the server panel.
    let demo = b.command(json!({ "open": format!("{origin}/?appId={APP}") })).expect("the demo page");
    let demo = usize::try_from(demo.as_u64().expect("a page index")).expect("index");
    // (The facade user is still in "lobby", the demo's default channel.)
    b.eval_in(
        demo,
        "document.getElementById('account').value = 'demo-user'; document.getElementById('loginBtn').click()",
    );
    let seen = b.eval_in(
        demo,
        "new Promise(function (resolve, reject) {
           var until = Date.now() + 10000;
           (function poll() {
             var users = document.getElementById('users').textContent;
             var server = document.getElementById('server').textContent;
             if (users.indexOf('rust') >= 0 && users.indexOf('demo-user') >= 0 && server.indexOf('online users') >= 0) {
               resolve([document.getElementById('status').textContent, users.indexOf('rust') >= 0]);
             } else if (Date.now() > until) {
               reject(new Error('demo page: ' + document.body.innerText));
             } else { setTimeout(poll, 50); }
           })();
         })",
    );
    assert_eq!(seen, json!([format!("logged in as demo-user (uid {})", uid_for("demo-user")), true]));
    assert_eq!(rust.next(1), vec![json!(["onChannelUserJoined", "demo-user", uid_for("demo-user")])]);
    println!("browser scenarios passed in {:?}", started.elapsed());
}
