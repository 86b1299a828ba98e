//! The C++ example (`examples/cpp_chat.cpp`, the `IAgoraAPI` interface served as C++ objects and
//! the program's `ICallBack` called through its own table) built with the system `c++`: two
//! processes run a whole session through a server.

mod common;

use common::{Program, Served, build, compiler};

#[test]
fn two_cpp_programs_run_a_session_through_a_server() {
    let Some(cxx) = compiler("c++") else { return };
    let exe = build(cxx, &["-std=c++11", "-pedantic"], &["examples/cpp_chat.cpp"], "cpp_chat");
    let served = Served::start();
    let mut alice = Program::start("alice", &exe, Some(&served.url));
    let mut bob = Program::start("bob", &exe, Some(&served.url));

    alice.send("status");
    alice.expect(&["status 0 online 0"]);
    alice.send("login app alice");
    alice.expect(&["onLoginSuccess"]);
    bob.send("login app bob");
    bob.expect(&["onLoginSuccess"]);
    bob.send("status");
    bob.expect(&["status 2 online 1"]);

    bob.send("send alice m1 hello alice");
    bob.expect(&["onMessageSendSuccess m1"]);
    alice.expect(&["onMessageInstantReceive bob hello alice"]);

    alice.send("join lobby");
    alice.expect(&["onChannelJoined lobby", "onChannelUserList 1 alice"]);
    alice.send("chattr lobby topic rust");
    alice.expect(&["onChannelAttrUpdated lobby topic rust update"]);
    bob.send("join lobby");
    // The member list, then the channel's attributes replayed.
    bob.expect(&[
        "onChannelJoined lobby",
        "onChannelUserList 2 bob alice",
        "onChannelAttrUpdated lobby topic rust update",
    ]);
    alice.expect(&["onChannelUserJoined bob"]);

    alice.send("say lobby m2 hi all");
    alice.expect(&["onMessageSendSuccess m2", "onMessageChannelReceive lobby alice hi all"]);
    bob.expect(&["onMessageChannelReceive lobby alice hi all"]);

    bob.send("setattr mood happy");
    bob.send("getattr bob mood");
    bob.expect(&["onUserAttrResult bob mood happy"]);
    alice.send("getattr bob mood");
    alice.expect(&["onUserAttrResult bob mood happy"]);

    alice.send(r#"invite call1 bob {"k":1}"#);
    bob.expect(&[r#"onInviteReceived call1 alice {"k":1}"#]);
    alice.expect(&["onInviteReceivedByPeer call1 bob"]);
    bob.send(r#"accept call1 alice {"ok":true}"#);
    alice.expect(&[r#"onInviteAcceptedByPeer call1 bob {"ok":true}"#]);
    bob.send("end call1 alice");
    bob.expect(&["onInviteEndByMyself call1 alice"]);
    alice.expect(&["onInviteEndByPeer call1 bob "]);

    bob.send("leave lobby");
    bob.expect(&["onChannelLeaved lobby 602"]);
    alice.expect(&["onChannelUserLeaved bob"]);

    bob.send("logout");
    bob.expect(&["onLogout 101"]);
    bob.send("quit");
    bob.finish(&["start returned", "bye"]);

    alice.send("logout");
    alice.expect(&["onChannelLeaved lobby 603", "onLogout 101"]);
    alice.send("status");
    alice.expect(&["status 0 online 0"]);
    alice.finish(&["start returned", "bye"]);
}
