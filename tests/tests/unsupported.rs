//! Legacy calls the shim does not offer still answer, with the failure the catalog documents.

use sigshim_conformance::Backend;
use sigshim_conformance::{Driver, hub};
use sigshim_mapping::{Strategy, catalog};

async fn unsupported_sends_and_bc_call_answer_with_their_documented_failure(be: Backend) {
    let hub = hub();
    let mut alice = be.legacy(&hub, "alice");
    alice.login(None).await.expect("login");
    alice.sig.message_app_send("hello", "app-1");
    alice.sig.message_push_send("bob", 0, "hello", "push-1");
    alice.sig.message_chat_send("bob", 0, "hello", "chat-1");
    alice.sig.message_dtmf_send(0, "123", "dtmf-1");
    alice.sig.message_channel_send2("room", "hello", "ch2-1", "{}");
    alice.sig.message_channel_send_fast("room", "hello", "chf-1");
    alice.sig.bc_call("func", "{}", "bc-1");
    for id in ["app-1", "push-1", "chat-1", "dtmf-1", "ch2-1", "chf-1"] {
        let cb = alice.cbs.wait("on_message_send_error").await;
        assert_eq!(cb.args, [id, "400"], "in call order");
    }
    let cb = alice.cbs.wait("on_bc_call_result").await;
    assert_eq!(cb.args, ["1001: unsupported", "{}", "bc-1"]);
    // Each of these is catalogued as unsupported, so MIGRATION.md tells users the same.
    for name in [
        "message_app_send",
        "message_push_send",
        "message_chat_send",
        "message_dtmf_send",
        "message_channel_send2",
        "message_channel_send_fast",
        "bc_call",
    ] {
        let row = catalog::lookup(name).unwrap_or_else(|| panic!("{name} is catalogued"));
        assert_eq!(row.strategy, Strategy::Unsupported, "{name}");
    }
}

sigshim_conformance::per_backend!(unsupported_sends_and_bc_call_answer_with_their_documented_failure,);
