//! User attributes: the core's set/add/delete/clear and reads, the facade's `set_attr` family
//! (JSON for the `*_all` reads, an empty value deletes), clearing at logout, and every size and
//! count limit with each API's code.

use std::collections::BTreeMap;

use sigshim::error::AttributeError as AE;
use sigshim::{Attribute, RtmCode};
use sigshim_conformance::Backend;
use sigshim_conformance::fixtures::{api_pairs, expected, online, online_core, relaxed_hub};
use sigshim_conformance::{APIS, Api, Driver, FailKind as K, hub};

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
    pairs.iter().map(|(k, v)| Attribute::new(*k, *v)).collect()
}

async fn owner_writes_and_everyone_reads(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut owner = online(be, a, &hub, "owner").await;
        let mut reader = online(be, b, &hub, "reader").await;
        assert_eq!(reader.get_attrs("owner").await, Ok(map(&[])), "{a:?}/{b:?}");
        owner.set_attr("color", "blue").await.unwrap();
        owner.set_attr("size", "L").await.unwrap();
        owner.set_attr("color", "red").await.unwrap(); // overwrite
        let want = map(&[("color", "red"), ("size", "L")]);
        assert_eq!(reader.get_attrs("owner").await, Ok(want.clone()), "{a:?}/{b:?}");
        assert_eq!(owner.get_attrs("owner").await, Ok(want), "{a:?} own");
        assert_eq!(reader.get_attr("owner", "color").await, Ok("red".into()));
        assert_eq!(owner.get_attr("owner", "size").await, Ok("L".into()));
        assert_eq!(reader.get_attr("owner", "missing").await, Ok(String::new()));
        assert_eq!(reader.get_attrs("reader").await, Ok(map(&[])), "attributes are per user");
    }
}

async fn core_set_add_delete_clear_and_reads_by_key(be: Backend) {
    let hub = hub();
    let owner = online_core(be, &hub, "owner").await;
    let reader = online_core(be, &hub, "reader").await;
    let c = &owner.client;
    c.set_local_user_attributes(&attrs(&[("a", "1"), ("b", "2")])).await.unwrap();
    c.add_or_update_local_user_attributes(&attrs(&[("b", "3"), ("c", "4")])).await.unwrap();
    assert_eq!(
        reader.client.get_user_attributes("owner").await.unwrap(),
        attrs(&[("a", "1"), ("b", "3"), ("c", "4")])
    );
    let some = reader.client.get_user_attributes_by_keys("owner", &["c", "a", "zz"]).await.unwrap();
    let mut some: Vec<_> = some.into_iter().map(|a| (a.key, a.value)).collect();
    some.sort();
    assert_eq!(some, [("a".to_owned(), "1".to_owned()), ("c".to_owned(), "4".to_owned())]);
    c.delete_local_user_attributes_by_keys(&["a", "nope"]).await.unwrap();
    assert_eq!(c.get_user_attributes("owner").await.unwrap(), attrs(&[("b", "3"), ("c", "4")]));
    c.set_local_user_attributes(&attrs(&[("x", "9")])).await.unwrap(); // replaces everything
    assert_eq!(reader.client.get_user_attributes("owner").await.unwrap(), attrs(&[("x", "9")]));
    c.clear_local_user_attributes().await.unwrap();
    assert!(reader.client.get_user_attributes("owner").await.unwrap().is_empty());
    let bad_key = reader.client.get_user_attributes_by_keys("owner", &[""]).await.unwrap_err();
    assert_eq!((bad_key, bad_key.code()), (AE::InvalidArgument, 3));
}

async fn attributes_are_cleared_at_logout(be: Backend) {
    for (a, b) in api_pairs() {
        let hub = hub();
        let mut owner = online(be, a, &hub, "owner").await;
        let mut reader = online(be, b, &hub, "reader").await;
        owner.set_attr("k", "v").await.unwrap();
        assert_eq!(reader.get_attr("owner", "k").await, Ok("v".into()));
        owner.logout().await.unwrap();
        let gone = Err(expected(b, (K::UserNotFound, 6), (K::Other, 1001)));
        assert_eq!(reader.get_attr("owner", "k").await.map(drop), gone, "{a:?}/{b:?} while offline");
        assert_eq!(reader.get_attrs("owner").await.map(drop), gone, "{a:?}/{b:?} while offline");
        owner.login(None).await.unwrap();
        assert_eq!(reader.get_attrs("owner").await, Ok(map(&[])), "{a:?}/{b:?} after a new login");
        assert_eq!(reader.get_attr("owner", "k").await, Ok(String::new()));
    }
}

async fn reading_an_offline_or_unknown_user_fails(be: Backend) {
    for api in APIS {
        let hub = hub();
        let mut reader = online(be, api, &hub, "reader").await;
        let r = reader.get_attrs("nobody").await;
        assert_eq!(r, Err(expected(api, (K::UserNotFound, 6), (K::Other, 1001))), "{api:?}");
        let r = reader.get_attr("bad/id", "k").await;
        assert_eq!(r, Err(expected(api, (K::InvalidArgument, 3), (K::InvalidArgument, 1004))), "{api:?}");
    }
}

async fn size_and_count_limits(be: Backend) {
    for api in APIS {
        let hub = relaxed_hub();
        let mut owner = online(be, api, &hub, "owner").await;
        let invalid = Err(expected(api, (K::InvalidArgument, 3), (K::InvalidArgument, 1004)));
        let overflow = Err(expected(api, (K::InvalidArgument, 4), (K::InvalidArgument, 1005)));
        assert_eq!(owner.set_attr(&"k".repeat(33), "v").await, invalid, "{api:?} key of 33 bytes");
        assert_eq!(owner.set_attr("bad key", "v").await, invalid, "{api:?} key with a space");
        owner.set_attr(&"k".repeat(32), "v").await.unwrap();
        assert_eq!(
            owner.set_attr("big", &"v".repeat(8 * 1024 + 1)).await,
            overflow,
            "{api:?} value of 8 KB + 1"
        );
        owner.set_attr("big", &"v".repeat(8 * 1024)).await.unwrap();
        assert_eq!(owner.get_attr("owner", "big").await.map(|v| v.len()), Ok(8 * 1024));
        for i in 2..32 {
            owner.set_attr(&format!("n{i}"), "v").await.unwrap();
        }
        assert_eq!(owner.get_attrs("owner").await.map(|m| m.len()), Ok(32));
        assert_eq!(owner.set_attr("n32", "v").await, overflow, "{api:?} 33rd key");
        owner.set_attr("n2", "changed").await.unwrap(); // an update of an existing key still fits
        assert_eq!(owner.get_attrs("owner").await.map(|m| m.len()), Ok(32));
    }
}

async fn total_size_limit_counts_keys_and_values(be: Backend) {
    for api in APIS {
        let hub = relaxed_hub();
        let mut owner = online(be, api, &hub, "owner").await;
        let overflow = Err(expected(api, (K::InvalidArgument, 4), (K::InvalidArgument, 1005)));
        owner.set_attr("a", &"1".repeat(8191)).await.unwrap();
        owner.set_attr("b", &"2".repeat(8191)).await.unwrap(); // 16 384 bytes in total
        assert_eq!(owner.set_attr("c", "3").await, overflow, "{api:?} one byte over 16 KB");
        let all = owner.get_attrs("owner").await.unwrap();
        assert_eq!(all.keys().collect::<Vec<_>>(), ["a", "b"], "{api:?}: a refused update changes nothing");
    }
}

async fn legacy_attribute_calls_and_callbacks(be: Backend) {
    let hub = hub();
    let mut me = be.legacy(&hub, "me");
    me.login(None).await.unwrap();
    let other = online_core(be, &hub, "other").await;
    other.client.add_or_update_local_user_attributes(&attrs(&[("o", "1"), ("p", "q\"r")])).await.unwrap();
    me.sig.set_attr("name", "Ann");
    me.sig.set_attr("age", "7");
    me.sig.get_attr("name");
    me.sig.get_attr("missing");
    me.sig.get_attr_all();
    me.sig.get_user_attr("other", "p");
    me.sig.get_user_attr_all("other");
    me.sig.set_attr("age", ""); // an empty value deletes the key
    me.sig.get_attr_all();
    me.sig.get_user_attr("gone", "x");
    me.sig.get_user_attr_all("gone");
    me.fence().await;
    let lines: Vec<String> = me.cbs.transcript().into_iter().skip(1).collect();
    let (head, tail) = lines.split_at(7);
    assert_eq!(
        head,
        [
            "on_user_attr_result(me, name, Ann)",
            "on_user_attr_result(me, missing, )",
            r#"on_user_attr_all_result(me, {"age":"7","name":"Ann"})"#,
            r#"on_user_attr_result(other, p, q"r)"#,
            r#"on_user_attr_all_result(other, {"o":"1","p":"q\"r"})"#,
            r#"on_user_attr_all_result(me, {"name":"Ann"})"#,
            "on_error(get_user_attr, 1001, attribute read failed)",
        ]
    );
    assert_eq!(tail.len(), 2, "{tail:?}");
    assert!(tail[0].starts_with("on_error(get_user_attr_all, 1001, "), "{tail:?}");
    assert!(tail[1].starts_with("on_dbg(fence"), "{tail:?}");
}

async fn legacy_attribute_calls_before_login(be: Backend) {
    let hub = hub();
    let mut me = be.legacy(&hub, "me");
    me.sig.set_attr("k", "v");
    me.sig.get_attr("k");
    me.sig.get_attr_all();
    me.sig.get_user_attr("x", "k");
    me.fence().await;
    assert_eq!(
        me.cbs.transcript(),
        [
            "on_error(set_attr, 1003, not logged in)",
            "on_error(get_attr, 1003, not logged in)",
            "on_error(get_attr_all, 1003, not logged in)",
            "on_error(get_user_attr, 1003, not logged in)",
            "on_dbg(fence, fence-1)",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn attribute_updates_are_rate_limited() {
    let be = Backend::Memory; // paused time needs the in-process backend
    for api in APIS {
        let hub = hub();
        let mut owner = online(be, api, &hub, "owner").await;
        for i in 0..10 {
            owner.set_attr("k", &format!("v{i}")).await.unwrap_or_else(|e| panic!("{api:?} #{i}: {e:?}"));
        }
        if api == Api::Legacy {
            // The legacy profile has no quota on attribute updates.
            assert_eq!(owner.set_attr("k", "11th").await, Ok(()), "legacy profile: 11th in 5 s");
            continue;
        }
        let too_often = Err(expected(api, (K::TooOften, 5), (K::Other, 1001)));
        assert_eq!(owner.set_attr("k", "refused").await, too_often, "{api:?} 11th in 5 s");
        tokio::time::advance(std::time::Duration::from_secs(5)).await;
        owner.set_attr("k", "later").await.unwrap();
        assert_eq!(owner.get_attr("owner", "k").await, Ok("later".into()));
    }
}

sigshim_conformance::per_backend!(
    owner_writes_and_everyone_reads,
    core_set_add_delete_clear_and_reads_by_key,
    attributes_are_cleared_at_logout,
    reading_an_offline_or_unknown_user_fails,
    size_and_count_limits,
    total_size_limit_counts_keys_and_values,
    legacy_attribute_calls_and_callbacks,
    legacy_attribute_calls_before_login,
);
