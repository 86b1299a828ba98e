//! The facade's `invoke("io.agora.signal.*", req, call_id)`: each documented user function with
//! its legacy JSON (compared as values), the echoed `call_id`, and every failure shape (`err` =
//! "N: reason" with a legacy code N, `resp` = `{}`), reported through `on_invoke_ret` only.

use serde_json::{Value, json};
use sigshim::Attribute;
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::online_core;
use sigshim_conformance::{Driver, LegacyDriver, hub};

/// Calls `name` and returns (err, resp as JSON) of the matching `on_invoke_ret`.
async fn invoke(d: &mut LegacyDriver, name: &str, req: &str, call_id: &str) -> (String, Value) {
    d.sig.invoke(name, req, call_id);
    let cb = d.cbs.wait_for("on_invoke_ret", |c| c.name == "on_invoke_ret" && c.args[0] == call_id).await;
    let resp = serde_json::from_str(&cb.args[2])
        .unwrap_or_else(|e| panic!("resp {:?} is not JSON: {e}", cb.args[2]));
    (cb.args[1].clone(), resp)
}

async fn ok(d: &mut LegacyDriver, func: &str, req: Value, call_id: &str) -> Value {
    let (err, resp) = invoke(d, &format!("io.agora.signal.{func}"), &req.to_string(), call_id).await;
    assert_eq!(err, "", "{func} failed");
    resp
}

/// Asserts a failure with legacy `code` and returns the reason text.
async fn fails(d: &mut LegacyDriver, name: &str, req: &str, call_id: &str, code: i32) -> String {
    let (err, resp) = invoke(d, name, req, call_id).await;
    assert_eq!(resp, json!({}), "{name} {req}: resp of a failure");
    let reason =
        err.strip_prefix(&format!("{code}: ")).unwrap_or_else(|| panic!("{name} {req}: err {err:?}"));
    assert!(!reason.is_empty(), "{name} {req}: a reason is given");
    reason.to_owned()
}

/// Asserts that nothing but the expected `on_invoke_ret`s came out (a `dbg` round trip).
async fn only_invoke_rets(d: &mut LegacyDriver) {
    d.fence().await;
    let extra: Vec<String> =
        d.cbs.pending().into_iter().filter(|c| !c.starts_with("on_invoke_ret(")).collect();
    assert!(extra.is_empty(), "invoke answers through on_invoke_ret only: {extra:?}");
}

async fn user_functions_answer_with_legacy_json(be: Backend) {
    let hub = hub();
    let mut me = be.legacy(&hub, "me");
    me.login(None).await.unwrap();
    let peer = online_core(be, &hub, "peer").await;
    peer.client.add_or_update_local_user_attributes(&[Attribute::new("mood", "calm")]).await.unwrap();

    let r = ok(&mut me, "user_query_user_status", json!({"account": "peer"}), "q1").await;
    assert_eq!(r, json!({"result": "ok", "account": "peer", "status": 1}));
    let r = ok(&mut me, "user_query_user_status", json!({"account": "ghost"}), "q2").await;
    assert_eq!(r, json!({"result": "ok", "account": "ghost", "status": 0}));

    let r = ok(&mut me, "user_set_attr", json!({"name": "color", "value": "blue"}), "s1").await;
    assert_eq!(r, json!({"result": "ok"}));
    ok(&mut me, "user_set_attr", json!({"name": "size", "value": "L"}), "s2").await;
    let r = ok(&mut me, "user_get_attr", json!({"account": "me", "name": "color"}), "g1").await;
    assert_eq!(r, json!({"result": "ok", "account": "me", "name": "color", "value": "blue"}));
    let r = ok(&mut me, "user_get_attr", json!({"account": "peer", "name": "mood"}), "g2").await;
    assert_eq!(r, json!({"result": "ok", "account": "peer", "name": "mood", "value": "calm"}));
    let r = ok(&mut me, "user_get_attr", json!({"account": "peer", "name": "none"}), "g3").await;
    assert_eq!(r, json!({"result": "ok", "account": "peer", "name": "none", "value": ""}));
    let r = ok(&mut me, "user_get_attr_all", json!({"account": "me"}), "a1").await;
    assert_eq!(r, json!({"result": "ok", "account": "me", "attrs": {"color": "blue", "size": "L"}}));
    let r = ok(&mut me, "user_get_attr_all", json!({"account": "peer"}), "a2").await;
    assert_eq!(r, json!({"result": "ok", "account": "peer", "attrs": {"mood": "calm"}}));

    // An empty value deletes, as `set_attr` does; the core sees the same attributes.
    ok(&mut me, "user_set_attr", json!({"name": "size", "value": ""}), "s3").await;
    let seen = peer.client.get_user_attributes("me").await.unwrap();
    assert_eq!(seen, [Attribute::new("color", "blue")]);
    let r = ok(&mut me, "user_get_attr_all", json!({"account": "me"}), "a3").await;
    assert_eq!(r["attrs"], json!({"color": "blue"}));
    only_invoke_rets(&mut me).await;
}

async fn call_ids_are_echoed_in_order(be: Backend) {
    let hub = hub();
    let mut me = be.legacy(&hub, "me");
    me.login(None).await.unwrap();
    let ids = ["", "x", "42", "same", "same", "ünï cöde"];
    for id in ids {
        me.sig.invoke("io.agora.signal.user_query_user_status", r#"{"account":"me"}"#, id);
    }
    for id in ids {
        let cb = me.cbs.wait("on_invoke_ret").await;
        assert_eq!((cb.args[0].as_str(), cb.args[1].as_str()), (id, ""));
        let resp: Value = serde_json::from_str(&cb.args[2]).unwrap();
        assert_eq!(resp, json!({"result": "ok", "account": "me", "status": 1}));
    }
}

async fn bad_requests_fail_with_legacy_codes(be: Backend) {
    let hub = hub();
    let mut me = be.legacy(&hub, "me");
    me.login(None).await.unwrap();
    let status = "io.agora.signal.user_query_user_status";
    fails(&mut me, status, "{", "bad-json", 1004).await;
    fails(&mut me, status, "[1,2]", "array", 1004).await;
    fails(&mut me, status, r#""me""#, "string", 1004).await;
    fails(&mut me, status, "{}", "no-account", 1004).await;
    fails(&mut me, status, r#"{"account":5}"#, "number-account", 1004).await;
    fails(&mut me, status, r#"{"account":"bad/id"}"#, "bad-account", 1004).await;
    fails(&mut me, "io.agora.signal.user_set_attr", r#"{"name":"k"}"#, "no-value", 1004).await;
    fails(
        &mut me,
        "io.agora.signal.user_set_attr",
        &json!({"name": "k".repeat(129), "value": "v"}).to_string(),
        "long-key",
        1004,
    )
    .await;
    let big = json!({"name": "k", "value": "v".repeat(8193)}).to_string();
    fails(&mut me, "io.agora.signal.user_set_attr", &big, "big-value", 1005).await;
    fails(&mut me, "io.agora.signal.user_get_attr", r#"{"account":"me"}"#, "no-name", 1004).await;
    fails(&mut me, "io.agora.signal.user_get_attr", r#"{"account":"ghost","name":"k"}"#, "offline", 1001)
        .await;
    fails(&mut me, "io.agora.signal.user_get_attr_all", r#"{"account":"ghost"}"#, "offline-all", 1001).await;
    fails(&mut me, "io.agora.signal.no_such_function", "{}", "unknown", 1004).await;
    fails(&mut me, "user_query_user_status", r#"{"account":"me"}"#, "no-prefix", 1004).await;
    fails(&mut me, "io.agora.signal.", "{}", "empty-name", 1004).await;
    // Channel queries name the channel "name", attribute operations "channel" (see
    // legacy_channels.rs for their answers).
    for (i, (f, req)) in [
        ("channel_query_num", r#"{"channel":"c"}"#),
        ("channel_query_user_isin", r#"{"name":"c"}"#),
        ("channel_query_userlist", "{}"),
        ("channel_set_attr", r#"{"name":"c","value":"v"}"#),
        ("channel_del_attr", r#"{"channel":"c"}"#),
        ("channel_clear_attr", r#"{"name":"c"}"#),
    ]
    .iter()
    .enumerate()
    {
        let reason = fails(&mut me, &format!("io.agora.signal.{f}"), req, &format!("ch{i}"), 1004).await;
        assert!(reason.contains("missing string field"), "{f}: {reason}");
    }
    let reason =
        fails(&mut me, "io.agora.signal.channel_query_userlist_all", r#"{"name":"c"}"#, "all", 1001).await;
    assert!(reason.starts_with("unsupported"), "{reason}");
    only_invoke_rets(&mut me).await;
}

async fn user_functions_before_login_fail_with_1003(be: Backend) {
    let hub = hub();
    let mut me = be.legacy(&hub, "me");
    let calls = [
        ("user_query_user_status", json!({"account": "x"})),
        ("user_set_attr", json!({"name": "k", "value": "v"})),
        ("user_get_attr", json!({"account": "x", "name": "k"})),
        ("user_get_attr_all", json!({"account": "x"})),
    ];
    for (i, (f, req)) in calls.iter().enumerate() {
        fails(&mut me, &format!("io.agora.signal.{f}"), &req.to_string(), &format!("c{i}"), 1003).await;
    }
    only_invoke_rets(&mut me).await;
    // After a logout as well.
    me.login(None).await.unwrap();
    me.logout().await.unwrap();
    fails(&mut me, "io.agora.signal.user_get_attr_all", r#"{"account":"me"}"#, "after", 1003).await;
    only_invoke_rets(&mut me).await;
}

sigshim_conformance::per_backend!(
    user_functions_answer_with_legacy_json,
    call_ids_are_echoed_in_order,
    bad_requests_fail_with_legacy_codes,
    user_functions_before_login_fail_with_1003,
);
