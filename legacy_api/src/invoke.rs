//! `invoke("io.agora.signal.<func>", req_json, call_id)`, answered with the legacy JSON shapes.

use serde_json::{Value, json};
use sigshim::Client;
use sigshim_mapping::{LegacyCode, translate};

use crate::channels::ChannelTable;
use crate::dispatcher::Dispatch;
use crate::queries::{self, AttrOp};

/// The prefix every legacy RPC name carries.
pub const PREFIX: &str = "io.agora.signal.";

/// Why an RPC could not be answered; the text goes into `on_invoke_ret`'s `err`.
fn err(code: LegacyCode, what: &str) -> String {
    format!("{}: {what}", code.code())
}

fn field<'a>(req: &'a Value, key: &str) -> Result<&'a str, String> {
    req.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| err(LegacyCode::GeneralWrongParam, &format!("missing string field \"{key}\"")))
}

/// Runs one RPC and reports it through `on_invoke_ret(call_id, err, resp)`. `client` is the
/// logged-in session's; `channels` answers the member list of a joined channel.
pub(crate) async fn invoke(
    out: &Dispatch,
    client: Option<&Client>,
    channels: &ChannelTable,
    name: String,
    req: String,
    call_id: String,
) {
    let result = answer(client, channels, &name, &req).await;
    let (e, resp) = match result {
        Ok(v) => (String::new(), v.to_string()),
        Err(e) => (e, "{}".to_owned()),
    };
    out.emit(move |c| c.on_invoke_ret(&call_id, &e, &resp)).await;
}

/// The RPCs that need a login; checked first, so that the answer comes through `on_invoke_ret`
/// alone.
fn needs_login(func: &str) -> bool {
    matches!(
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
    )
}

async fn answer(
    client: Option<&Client>,
    channels: &ChannelTable,
    name: &str,
    req: &str,
) -> Result<Value, String> {
    let wrong = LegacyCode::GeneralWrongParam;
    let func =
        name.strip_prefix(PREFIX).ok_or_else(|| err(wrong, "function names start with io.agora.signal."))?;
    let req: Value = serde_json::from_str(if req.trim().is_empty() { "{}" } else { req })
        .map_err(|_| err(wrong, "request is not valid JSON"))?;
    if !req.is_object() {
        return Err(err(wrong, "request must be a JSON object"));
    }
    let client = match client {
        Some(client) => Some(client),
        None if needs_login(func) => return Err(err(translate::not_logged_in(), "not logged in")),
        None => None,
    };
    let logged_in = || client.ok_or_else(|| err(translate::not_logged_in(), "not logged in"));
    match func {
        "user_query_user_status" => {
            let account = field(&req, "account")?;
            let online =
                queries::user_online(logged_in()?, account).await.map_err(|c| err(c, "query failed"))?;
            Ok(json!({"result": "ok", "account": account, "status": i32::from(online)}))
        }
        "user_set_attr" => {
            let (name, value) = (field(&req, "name")?, field(&req, "value")?);
            queries::write_attr(logged_in()?, name, value)
                .await
                .map_err(|c| err(c, "attribute update failed"))?;
            Ok(json!({"result": "ok"}))
        }
        "user_get_attr" => {
            let (account, name) = (field(&req, "account")?, field(&req, "name")?);
            let attrs = queries::read_attrs(logged_in()?, account, Some(name))
                .await
                .map_err(|c| err(c, "attribute read failed"))?;
            let value = attrs.into_iter().next().map(|a| a.value).unwrap_or_default();
            Ok(json!({"result": "ok", "account": account, "name": name, "value": value}))
        }
        "user_get_attr_all" => {
            let account = field(&req, "account")?;
            let attrs = queries::read_attrs(logged_in()?, account, None)
                .await
                .map_err(|c| err(c, "attribute read failed"))?;
            let map: serde_json::Map<String, Value> =
                attrs.into_iter().map(|a| (a.key, Value::String(a.value))).collect();
            Ok(json!({"result": "ok", "account": account, "attrs": map}))
        }
        "channel_query_userlist_all" => {
            Err(err(translate::unsupported(), "unsupported: channel_query_userlist_all has no equivalent"))
        }
        // Channel queries name the channel "name"; attribute operations use "channel" + "name".
        "channel_query_num" => {
            let channel = field(&req, "name")?;
            let num =
                queries::member_count(client, channel).await.map_err(|c| err(c, "member count failed"))?;
            Ok(json!({"result": "ok", "name": channel, "num": num}))
        }
        "channel_query_user_isin" => {
            let (channel, account) = (field(&req, "name")?, field(&req, "account")?);
            let is_in = queries::user_is_in(logged_in()?, channel, account)
                .await
                .map_err(|c| err(c, "membership query failed"))?;
            Ok(json!({"result": "ok", "name": channel, "account": account, "isin": i32::from(is_in)}))
        }
        "channel_query_userlist" => {
            let channel = field(&req, "name")?;
            let list = channels.members(channel).await?;
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
            let client = logged_in()?;
            queries::write_channel_attr(client, channel, &op)
                .await
                .map_err(|c| err(c, "channel attribute update failed"))?;
            Ok(json!({"result": "ok"}))
        }
        _ => Err(err(wrong, "unknown function")),
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
