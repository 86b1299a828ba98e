//! Deleting and clearing channel attributes through the legacy API: `channel_del_attr` reports
//! `"del"` of its key to every member, the last key included; `channel_clear_attr` reports one
//! `"clear"` to every member, and nothing else does (a core client's delete of several keys at
//! once is a `"del"` of each).
//!
//! Each phase waits for its last callback on every member, then compares every attribute
//! callback the member has had so far, in order.

use sigshim_conformance::fixtures::{expect_cb, online_legacy, relaxed_hub};
use sigshim_conformance::{Backend, Driver, LegacyDriver};

fn attr(name: &str, value: &str, kind: &str) -> String {
    format!("on_channel_attr_updated(room, {name}, {value}, {kind})")
}

/// Joins `room` and waits for the join callbacks.
async fn join(l: &mut LegacyDriver) {
    l.sig.channel_join("room");
    expect_cb(l, "on_channel_joined(room)").await;
    l.cbs.wait("on_channel_user_list").await;
}

/// Waits for `want`'s last line on `l`, then checks that `want` is every attribute callback of
/// `l` so far, in order.
async fn settled(l: &mut LegacyDriver, want: &[String]) {
    if let Some(last) = want.last() {
        expect_cb(l, last).await;
    }
    l.fence().await;
    let got: Vec<String> =
        l.cbs.transcript().into_iter().filter(|line| line.starts_with("on_channel_attr_updated(")).collect();
    assert_eq!(got, want, "attribute callbacks of {}", l.user());
}

async fn deleting_the_last_attribute_is_a_del_for_every_member(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut alice).await;
    join(&mut bob).await;
    let mut want = vec![attr("a", "1", "update")];
    alice.sig.channel_set_attr("room", "a", "1");
    settled(&mut alice, &want).await;
    settled(&mut bob, &want).await;

    // The only key, deleted by a member: "del" of that key for the deleter and the others.
    alice.sig.channel_del_attr("room", "a");
    want.push(attr("a", "", "del"));
    settled(&mut alice, &want).await;
    settled(&mut bob, &want).await;

    // Two keys deleted one by one: two "del"s, the second one emptying the set.
    bob.sig.channel_set_attr("room", "x", "1");
    bob.sig.channel_set_attr("room", "y", "2");
    bob.sig.channel_del_attr("room", "y");
    bob.sig.channel_del_attr("room", "x");
    want.extend([
        attr("x", "1", "update"),
        attr("y", "2", "update"),
        attr("y", "", "del"),
        attr("x", "", "del"),
    ]);
    settled(&mut bob, &want).await;
    settled(&mut alice, &want).await;

    // The same through invoke.
    alice.sig.channel_set_attr("room", "z", "3");
    alice.sig.invoke("io.agora.signal.channel_del_attr", r#"{"channel":"room","name":"z"}"#, "d1");
    expect_cb(&mut alice, r#"on_invoke_ret(d1, , {"result":"ok"})"#).await;
    want.extend([attr("z", "3", "update"), attr("z", "", "del")]);
    settled(&mut alice, &want).await;
    settled(&mut bob, &want).await;
}

async fn clearing_is_one_clear(be: Backend) {
    let hub = relaxed_hub();
    let mut alice = online_legacy(be, &hub, "alice").await;
    let mut bob = online_legacy(be, &hub, "bob").await;
    join(&mut alice).await;
    join(&mut bob).await;

    // Several keys cleared: one "clear" for every member.
    alice.sig.channel_set_attr("room", "a", "1");
    alice.sig.channel_set_attr("room", "b", "2");
    alice.sig.channel_clear_attr("room");
    let mut want = vec![attr("a", "1", "update"), attr("b", "2", "update"), attr("", "", "clear")];
    settled(&mut alice, &want).await;
    settled(&mut bob, &want).await;

    // A one-key set cleared: "clear" for every member (the core's event says it was a clear).
    bob.sig.channel_set_attr("room", "c", "3");
    bob.sig.channel_clear_attr("room");
    want.extend([attr("c", "3", "update"), attr("", "", "clear")]);
    settled(&mut bob, &want).await;
    settled(&mut alice, &want).await;

    // A clear through invoke is a clear too, and a clear of an empty set says nothing.
    alice.sig.channel_set_attr("room", "d", "4");
    alice.sig.invoke("io.agora.signal.channel_clear_attr", r#"{"channel":"room"}"#, "c1");
    expect_cb(&mut alice, r#"on_invoke_ret(c1, , {"result":"ok"})"#).await;
    alice.sig.channel_clear_attr("room");
    alice.sig.channel_set_attr("room", "e", "5");
    alice.sig.channel_del_attr("room", "e");
    want.extend([
        attr("d", "4", "update"),
        attr("", "", "clear"),
        attr("e", "5", "update"),
        attr("e", "", "del"),
    ]);
    settled(&mut alice, &want).await;
}

/// A core member deletes the only two keys at once, then clears a set: the legacy members see a
/// `"del"` of each key, then one `"clear"`.
async fn a_core_delete_of_every_key_is_dels_and_its_clear_a_clear(be: Backend) {
    use sigshim::{Attribute, ChannelAttributeOptions};
    let hub = relaxed_hub();
    let (carol, _room, _events) =
        sigshim_conformance::channel_fixtures::member(be, &hub, "carol", "room").await;
    let mut alice = online_legacy(be, &hub, "alice").await;
    join(&mut alice).await;
    let notify = ChannelAttributeOptions { enable_notification_to_channel_members: true };
    let attrs = [Attribute::new("a", "1"), Attribute::new("b", "2")];
    carol.client.add_or_update_channel_attributes("room", &attrs, notify).await.unwrap();
    carol.client.delete_channel_attributes_by_keys("room", &["a", "b"], notify).await.unwrap();
    let mut want =
        vec![attr("a", "1", "update"), attr("b", "2", "update"), attr("a", "", "del"), attr("b", "", "del")];
    settled(&mut alice, &want).await;
    carol.client.add_or_update_channel_attributes("room", &attrs[..1], notify).await.unwrap();
    carol.client.clear_channel_attributes("room", notify).await.unwrap();
    want.extend([attr("a", "1", "update"), attr("", "", "clear")]);
    settled(&mut alice, &want).await;
}

sigshim_conformance::per_backend!(
    a_core_delete_of_every_key_is_dels_and_its_clear_a_clear,
    deleting_the_last_attribute_is_a_del_for_every_member,
    clearing_is_one_clear
);
