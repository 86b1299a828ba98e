//! `invoke("io.agora.signal.<func>", req_json, call_id)`, answered with the legacy JSON shapes.

use serde_json::{Value, json};
use sigshim_mapping::translate;

use crate::actor::Actor;
use crate::channels::AttrOp;

/// The prefix every legacy RPC name carries.
pub const PREFIX: &str = "io.agora.signal.";

/// Why an RPC could not be answered; the text goes into `on_invoke_ret`'s `err`.
fn err(code: i32, what: &str) -> String {
    format!("{code}: {what}")
}

fn field<'a>(req: &'a Value, key: &str) -> Result<&'a str, String> {
    req.get(key).and_then(Value::as_str).ok_or_else(|| err(1004, &format!("missing string field \"{key}\"")))
}

/// Runs one RPC and reports it through `on_invoke_ret(call_id, err, resp)`.
pub(crate) async fn invoke(actor: &Actor, name: String, req: String, call_id: String) {
    let result = answer(actor, &name, &req).await;
    let (e, resp) = match result {
        Ok(v) => (String::new(), v.to_string()),
        Err(e) => (e, "{}".to_owned()),
    };
    actor.cb(move |c| c.on_invoke_ret(&call_id, &e, &resp)).await;
}

async fn answer(actor: &Actor, name: &str, req: &str) -> Result<Value, String> {
    let func =
        name.strip_prefix(PREFIX).ok_or_else(|| err(1004, "function names start with io.agora.signal."))?;
    let req: Value = serde_json::from_str(if req.trim().is_empty() { "{}" } else { req })
        .map_err(|_| err(1004, "request is not valid JSON"))?;
    if !req.is_object() {
        return Err(err(1004, "request must be a JSON object"));
    }
    // Checked here, so that the answer comes through `on_invoke_ret` alone: the helpers below
    // would also report a missing login through `on_error`.
    let needs_login = matches!(
        func,
        "user_query_user_status"
            | "user_set_attr"
            | "user_get_attr"
            | "user_get_attr_all"
            | "channel_query_num"
            | "channel_query_user_isin"
            | "channel_query_userlist"
            | "channel_set_attr"
            | "channel_del_attr"
            | "channel_clear_attr"
    );
    if needs_login && actor.logged_in().is_none() {
        return Err(err(translate::not_logged_in().code(), "not logged in"));
    }
    match func {
        "user_query_user_status" => {
            let account = field(&req, "account")?;
            let online = actor.user_online(account).await.map_err(|c| err(c, "query failed"))?;
            Ok(json!({"result": "ok", "account": account, "status": i32::from(online)}))
        }
        "user_set_attr" => {
            let (name, value) = (field(&req, "name")?, field(&req, "value")?);
            actor.write_attr(name, value).await.map_err(|c| err(c, "attribute update failed"))?;
            Ok(json!({"result": "ok"}))
        }
        "user_get_attr" => {
            let (account, name) = (field(&req, "account")?, field(&req, "name")?);
            let (_, attrs) = actor
                .read_attrs("invoke", Some(account.to_owned()), Some(name))
                .await
                .map_err(|c| err(c, "attribute read failed"))?;
            let value = attrs.into_iter().next().map(|a| a.value).unwrap_or_default();
            Ok(json!({"result": "ok", "account": account, "name": name, "value": value}))
        }
        "user_get_attr_all" => {
            let account = field(&req, "account")?;
            let (_, attrs) = actor
                .read_attrs("invoke", Some(account.to_owned()), None)
                .await
                .map_err(|c| err(c, "attribute read failed"))?;
            let map: serde_json::Map<String, Value> =
                attrs.into_iter().map(|a| (a.key, Value::String(a.value))).collect();
            Ok(json!({"result": "ok", "account": account, "attrs": map}))
        }
        "channel_query_userlist_all" => {
            Err(err(1001, "unsupported: channel_query_userlist_all has no equivalent"))
        }
        // Channel queries name the channel "name"; attribute operations use "channel" + "name".
        "channel_query_num" => {
            let channel = field(&req, "name")?;
            let num = actor.member_count(channel).await.map_err(|c| err(c, "member count failed"))?;
            Ok(json!({"result": "ok", "name": channel, "num": num}))
        }
        "channel_query_user_isin" => {
            let (channel, account) = (field(&req, "name")?, field(&req, "account")?);
            let is_in = actor
                .user_is_in("invoke", channel, account)
                .await
                .map_err(|c| err(c, "membership query failed"))?;
            Ok(json!({"result": "ok", "name": channel, "account": account, "isin": i32::from(is_in)}))
        }
        "channel_query_userlist" => {
            let channel = field(&req, "name")?;
            let list = actor.channel_members(channel).await?;
            Ok(json!({"result": "ok", "name": channel, "num": list.len(), "list": list}))
        }
        "channel_set_attr" | "channel_del_attr" | "channel_clear_attr" => {
            let channel = field(&req, "channel")?;
            let op = match func {
                "channel_set_attr" => AttrOp::Set {
                    name: field(&req, "name")?.to_owned(),
                    value: field(&req, "value")?.to_owned(),
                },
                "channel_del_attr" => AttrOp::Del { name: field(&req, "name")?.to_owned() },
                _ => AttrOp::Clear,
            };
            actor
                .write_channel_attr(channel, &op)
                .await
                .map_err(|c| err(c, "channel attribute update failed"))?;
            Ok(json!({"result": "ok"}))
        }
        _ => Err(err(1004, "unknown function")),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex, mpsc};

    use crate::{Signaling, SignalingCallbacks, SignalingOptions};

    struct Log(Mutex<mpsc::Sender<String>>);

    impl SignalingCallbacks for Log {
        fn on_invoke_ret(&self, call_id: &str, err: &str, resp: &str) {
            self.0.lock().unwrap().send(format!("invoke_ret {call_id} {err} {resp}")).unwrap();
        }
        fn on_error(&self, name: &str, ecode: i32, _desc: &str) {
            self.0.lock().unwrap().send(format!("error {name} {ecode}")).unwrap();
        }
        fn on_dbg(&self, a: &str, _b: &str) {
            self.0.lock().unwrap().send(format!("dbg {a}")).unwrap();
        }
    }

    #[test]
    fn before_login_only_on_invoke_ret_answers() {
        let hub = sigshim::Hub::new(sigshim::HubConfig::new("app"));
        let sig = Signaling::create_instance_with("app", SignalingOptions::default().hub(&hub));
        let (tx, rx) = mpsc::channel();
        sig.callback_set(Arc::new(Log(Mutex::new(tx))));
        sig.invoke("io.agora.signal.user_query_user_status", r#"{"account":"a"}"#, "1");
        sig.invoke("io.agora.signal.user_get_attr_all", r#"{"account":"a"}"#, "2");
        sig.dbg("end", "");
        let got: Vec<String> = rx.iter().take(3).collect();
        assert_eq!(
            got,
            ["invoke_ret 1 1003: not logged in {}", "invoke_ret 2 1003: not logged in {}", "dbg end"]
        );
        sig.destroy();
    }
}
