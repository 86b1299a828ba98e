//! A mixed fleet on one server: the C99 example (`examples/c_chat.c`, through `libagorasig`), a
//! Rust program on the legacy facade and a core client chat with each other, share a channel and
//! see each other come and go.

mod common;

use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::{Program, Served, build, compiler};
use sigshim::transport::WsConnector;
use sigshim::{ChannelEvent, ChannelEvents, Client, ClientEvent, Events, Message, SendMessageOptions};
use sigshim_legacy::{Endpoint, Signaling, SignalingCallbacks, SignalingOptions};

/// How long one expected event may take.
const DEADLINE: Duration = Duration::from_secs(20);

/// The facade user's callbacks, printed as the C example prints its own.
struct Lines(mpsc::Sender<String>);

impl Lines {
    fn say(&self, line: String) {
        let _ = self.0.send(line);
    }
}

impl SignalingCallbacks for Lines {
    fn on_login_success(&self, _uid: u32, _fd: u32) {
        self.say("onLoginSuccess".into());
    }
    fn on_logout(&self, ecode: i32) {
        self.say(format!("onLogout {ecode}"));
    }
    fn on_message_send_success(&self, message_id: &str) {
        self.say(format!("onMessageSendSuccess {message_id}"));
    }
    fn on_message_instant_receive(&self, account: &str, _uid: u32, msg: &str) {
        self.say(format!("onMessageInstantReceive {account} {msg}"));
    }
    fn on_channel_joined(&self, channel_id: &str) {
        self.say(format!("onChannelJoined {channel_id}"));
    }
    fn on_channel_user_list(&self, accounts: &[String], _uids: &[u32]) {
        self.say(format!("onChannelUserList {} {}", accounts.len(), accounts.join(" ")));
    }
    fn on_channel_user_joined(&self, account: &str, _uid: u32) {
        self.say(format!("onChannelUserJoined {account}"));
    }
    fn on_channel_user_leaved(&self, account: &str, _uid: u32) {
        self.say(format!("onChannelUserLeaved {account}"));
    }
    fn on_message_channel_receive(&self, channel_id: &str, account: &str, _uid: u32, msg: &str) {
        self.say(format!("onMessageChannelReceive {channel_id} {account} {msg}"));
    }
}

/// The next lines from the facade user must be `expected`.
fn expect(lines: &mpsc::Receiver<String>, expected: &[&str]) {
    for want in expected {
        let got = lines
            .recv_timeout(DEADLINE)
            .unwrap_or_else(|_| panic!("rusty: no line where `{want}` was expected"));
        assert_eq!(&got, want, "rusty: unexpected line");
    }
}

/// The core client's next peer message: `(from, text)`.
async fn peer_message(events: &mut Events) -> (String, String) {
    let wait = async {
        loop {
            match events.recv().await.expect("the client's events stay open") {
                ClientEvent::MessageFromPeer { peer_id, message, .. } => {
                    break (peer_id, message.text_or_description().to_owned());
                }
                _ => continue,
            }
        }
    };
    tokio::time::timeout(DEADLINE, wait).await.expect("a peer message for the core client")
}

/// The core client's next channel event other than a count update.
async fn channel_event(events: &mut ChannelEvents) -> ChannelEvent {
    let wait = async {
        loop {
            match events.recv().await.expect("the channel's events stay open") {
                ChannelEvent::MemberCountUpdated(_) => continue,
                event => break event,
            }
        }
    };
    tokio::time::timeout(DEADLINE, wait).await.expect("a channel event for the core client")
}

#[test]
fn a_c_program_a_facade_user_and_a_core_client_chat_on_one_server() {
    let Some(cc) = compiler("cc") else { return };
    let exe = build(cc, &["-std=c99", "-pedantic"], &["examples/c_chat.c"], "c_chat_mixed");
    let served = Served::start();
    let rt = served.runtime();

    // carol: the C program.
    let mut carol = Program::start("carol", &exe, Some(&served.url));
    carol.send("login app carol");
    carol.expect(&["onLoginSuccess"]);

    // rusty: a Rust program on the legacy facade.
    let (tx, rusty_lines) = mpsc::channel();
    let rusty = Signaling::create_instance_with(
        "app",
        SignalingOptions::default().endpoint(Endpoint::Url(served.url.clone())),
    );
    rusty.callback_set(Arc::new(Lines(tx)));
    rusty.login("app", "rusty", "_no_need_token", 0, "");
    expect(&rusty_lines, &["onLoginSuccess"]);

    // core: an RTM-style client.
    let (core, mut core_events) =
        Client::builder("app").connector(Arc::new(WsConnector::new(served.url.clone()))).build();
    rt.block_on(core.login(None, "core")).expect("the core client logs in");

    // Peer messages, every way round.
    carol.send("send rusty m1 hello rusty");
    carol.expect(&["onMessageSendSuccess m1"]);
    expect(&rusty_lines, &["onMessageInstantReceive carol hello rusty"]);
    carol.send("send core m2 hello core");
    carol.expect(&["onMessageSendSuccess m2"]);
    assert_eq!(rt.block_on(peer_message(&mut core_events)), ("carol".to_owned(), "hello core".to_owned()));

    rusty.message_instant_send("carol", 0, "hi carol", "r1");
    expect(&rusty_lines, &["onMessageSendSuccess r1"]);
    carol.expect(&["onMessageInstantReceive rusty hi carol"]);
    rt.block_on(core.send_message_to_peer(
        "carol",
        &Message::text("from core"),
        SendMessageOptions::default(),
    ))
    .expect("carol receives the core client's message");
    carol.expect(&["onMessageInstantReceive core from core"]);

    // One channel: the list on join and the arrivals, whichever side joins.
    carol.send("join mix");
    carol.expect(&["onChannelJoined mix", "onChannelUserList 1 carol"]);
    rusty.channel_join("mix");
    expect(&rusty_lines, &["onChannelJoined mix", "onChannelUserList 2 rusty carol"]);
    carol.expect(&["onChannelUserJoined rusty"]);
    let (channel, mut channel_events) = core.create_channel("mix");
    rt.block_on(channel.join()).expect("the core client joins");
    carol.expect(&["onChannelUserJoined core"]);
    expect(&rusty_lines, &["onChannelUserJoined core"]);

    // Channel messages from each kind of member reach the other two.
    carol.send("say mix m3 hi all");
    carol.expect(&["onMessageSendSuccess m3", "onMessageChannelReceive mix carol hi all"]);
    expect(&rusty_lines, &["onMessageChannelReceive mix carol hi all"]);
    match rt.block_on(channel_event(&mut channel_events)) {
        ChannelEvent::MessageReceived { peer_id, message } => {
            assert_eq!((peer_id.as_str(), message.text_or_description()), ("carol", "hi all"));
        }
        other => panic!("core: expected carol's channel message, got {other:?}"),
    }
    rt.block_on(channel.send_message(&Message::text("core here")))
        .expect("the core client's channel message");
    carol.expect(&["onMessageChannelReceive mix core core here"]);
    expect(&rusty_lines, &["onMessageChannelReceive mix core core here"]);

    // The C program logs out: the others see it leave.
    carol.send("logout");
    carol.expect(&["onChannelLeaved mix 603", "onLogout 101"]);
    expect(&rusty_lines, &["onChannelUserLeaved carol"]);
    match rt.block_on(channel_event(&mut channel_events)) {
        ChannelEvent::MemberLeft(user) => assert_eq!(user, "carol"),
        other => panic!("core: expected carol to leave, got {other:?}"),
    }
    carol.send("quit");
    carol.finish(&["start returned", "bye"]);

    rusty.logout();
    expect(&rusty_lines, &["onLogout 101"]);
    rt.block_on(core.logout()).expect("the core client logs out");
}
