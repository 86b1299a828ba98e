//! Golden transcript of a legacy user's messaging day: the exact callback sequence (names,
//! arguments, order) compared with `tests/golden/messages_legacy.txt`, which is written by hand.
//! `SIGSHIM_BLESS=1 cargo test -p sigshim-conformance --test golden_messages` rewrites it from
//! the run; review the diff before keeping it.

use sigshim::error::PeerMessageError;
use sigshim::{Message, SendMessageOptions};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{core_send, online_core};
use sigshim_conformance::scenario::check_golden;
use sigshim_conformance::{Driver, hub};
use sigshim_legacy::uid_for;

async fn legacy_messaging_transcript(be: Backend) {
    let hub = hub();
    let mut pal = online_core(be, &hub, "pal").await;
    let away =
        core_send(&pal, "gold", Message::text("while you were away"), SendMessageOptions::offline()).await;
    assert_eq!(away, Err(PeerMessageError::CachedByServer));

    let mut gold = be.legacy(&hub, "gold");
    gold.sig.login(sigshim_conformance::APP_ID, "gold", "_no_need_token", 0, "");
    gold.cbs.wait("on_login_success").await;
    gold.cbs.wait("on_message_instant_receive").await;

    gold.sig.message_instant_send("pal", 0, "first", "m1");
    gold.sig.message_instant_send("pal", 0, "second", "m2");
    gold.cbs.wait("on_message_send_success").await;
    gold.cbs.wait("on_message_send_success").await;
    assert_eq!(pal.recv_peer().await, ("gold".into(), "first".into()));
    assert_eq!(pal.recv_peer().await, ("gold".into(), "second".into()));

    pal.send_peer("gold", "reply").await.unwrap();
    gold.cbs.wait("on_message_instant_receive").await;

    gold.sig.query_user_status("pal");
    gold.sig.query_user_status("ghost");
    gold.cbs.wait("on_query_user_status_result").await;
    gold.cbs.wait("on_query_user_status_result").await;

    gold.sig.set_attr("color", "blue");
    gold.sig.get_attr("color");
    gold.cbs.wait("on_user_attr_result").await;
    gold.sig.get_attr_all();
    gold.cbs.wait("on_user_attr_all_result").await;

    gold.sig.logout();
    gold.cbs.wait("on_logout").await;
    assert!(gold.cbs.pending().is_empty(), "unexpected callbacks: {:?}", gold.cbs.pending());

    let transcript = gold.cbs.transcript();
    // The golden file spells the uids out; they must be the stable CRC-32 of the accounts.
    assert!(transcript[0].starts_with(&format!("on_login_success({}, ", uid_for("gold"))));
    assert!(transcript[1].contains(&format!("(pal, {}, ", uid_for("pal"))));
    check_golden("messages_legacy.txt", &transcript);
}

sigshim_conformance::per_backend!(legacy_messaging_transcript,);
