//! The C99 example (`examples/c_chat.c`, the `IAgoraAPIC` interface) built with the system `cc`
//! against the built library: two processes chat through a server.

mod common;

use common::{Program, Served, build, compiler};

#[test]
fn two_c_programs_chat_through_a_server() {
    let Some(cc) = compiler("cc") else { return };
    let exe = build(cc, &["-std=c99", "-pedantic"], &["examples/c_chat.c"], "c_chat");
    let served = Served::start();
    let mut alice = Program::start("alice", &exe, Some(&served.url));
    let mut bob = Program::start("bob", &exe, Some(&served.url));

    alice.send("status");
    alice.expect(&["status 0"]);
    alice.send("login app alice");
    alice.expect(&["onLoginSuccess"]);
    alice.send("status");
    alice.expect(&["status 2"]);
    bob.send("login app bob");
    bob.expect(&["onLoginSuccess"]);

    alice.send("send bob m1 hello bob");
    alice.expect(&["onMessageSendSuccess m1"]);
    bob.expect(&["onMessageInstantReceive alice hello bob"]);

    alice.send("join room");
    alice.expect(&["onChannelJoined room", "onChannelUserList 1 alice"]);
    bob.send("join room");
    bob.expect(&["onChannelJoined room", "onChannelUserList 2 bob alice"]);
    alice.expect(&["onChannelUserJoined bob"]);

    bob.send("say room m2 hi room");
    bob.expect(&["onMessageSendSuccess m2", "onMessageChannelReceive room bob hi room"]);
    alice.expect(&["onMessageChannelReceive room bob hi room"]);

    bob.send("leave room");
    bob.expect(&["onChannelLeaved room 602"]);
    alice.expect(&["onChannelUserLeaved bob"]);

    bob.send("logout");
    bob.expect(&["onLogout 101"]);
    bob.send("logout");
    bob.expect(&["onLogout 108"]);
    bob.send("quit");
    bob.finish(&["start returned", "bye"]);

    alice.send("send bob m3 are you there");
    alice.expect(&["onMessageSendSuccess m3"]);
    alice.send("logout");
    alice.expect(&["onChannelLeaved room 603", "onLogout 101"]);
    alice.send("status");
    alice.expect(&["status 0"]);
    alice.finish(&["start returned", "bye"]);
}
