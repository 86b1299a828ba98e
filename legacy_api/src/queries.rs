//! The one-shot legacy calls that keep no state in the instance: presence, user attributes,
//! channel member counts and membership, channel attribute writes.
//!
//! Each takes the session's client and answers with `Result<_, LegacyCode>`; the `report_*`
//! functions turn that into the call's legacy callbacks. `invoke` uses the same queries and
//! answers with JSON instead.

use std::collections::BTreeMap;

use sigshim::{Attribute, ChannelAttributeOptions, Client, PeerOnlineState};
use sigshim_mapping::{LegacyCode, translate};

use crate::dispatcher::Dispatch;

/// A channel attribute operation of the legacy API.
#[derive(Debug)]
pub(crate) enum AttrOp {
    /// `channel_set_attr`.
    Set { name: String, value: String },
    /// `channel_del_attr`.
    Del { name: String },
    /// `channel_clear_attr`.
    Clear,
}

impl AttrOp {
    /// The legacy call that asked for it, as `on_error` names it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            AttrOp::Set { .. } => "channel_set_attr",
            AttrOp::Del { .. } => "channel_del_attr",
            AttrOp::Clear => "channel_clear_attr",
        }
    }
}

/// Channel attribute writes always notify the members, as the legacy service did.
const NOTIFY: ChannelAttributeOptions =
    ChannelAttributeOptions { enable_notification_to_channel_members: true };

/// Whether a failure is "not logged in", which the login check already reported.
fn not_logged_in(code: LegacyCode) -> bool {
    code == translate::not_logged_in()
}

/// Whether `account` is online.
pub(crate) async fn user_online(client: &Client, account: &str) -> Result<bool, LegacyCode> {
    match client.query_peers_online_status(&[account]).await {
        Ok(s) => Ok(s.first().is_some_and(|p| p.state == PeerOnlineState::Online)),
        Err(e) => Err(translate::query_status_failure(e)),
    }
}

/// `query_user_status`: `on_query_user_status_result(account, "1" | "0")`, else `on_error`.
pub(crate) async fn report_user_status(out: &Dispatch, client: &Client, account: String) {
    match user_online(client, &account).await {
        Ok(online) => {
            let status = if online { "1" } else { "0" };
            out.emit(move |c| c.on_query_user_status_result(&account, status)).await
        }
        Err(code) if not_logged_in(code) => {}
        Err(code) => {
            let code = code.code();
            out.emit(move |c| c.on_error("query_user_status", code, "query failed")).await
        }
    }
}

/// Sets (or, with an empty value, removes) one attribute of the logged-in user.
pub(crate) async fn write_attr(client: &Client, name: &str, value: &str) -> Result<(), LegacyCode> {
    let result = if value.is_empty() {
        client.delete_local_user_attributes_by_keys(&[name]).await
    } else {
        client.add_or_update_local_user_attributes(&[Attribute::new(name, value)]).await
    };
    result.map_err(translate::attribute_failure)
}

/// `set_attr`: nothing on success, `on_error("set_attr", …)` on failure.
pub(crate) async fn report_set_attr(out: &Dispatch, client: &Client, name: String, value: String) {
    if let Err(code) = write_attr(client, &name, &value).await
        && !not_logged_in(code)
    {
        let code = code.code();
        out.emit(move |c| c.on_error("set_attr", code, "attribute update failed")).await;
    }
}

/// The attributes of `account` (all of them, or the one `key`).
pub(crate) async fn read_attrs(
    client: &Client,
    account: &str,
    key: Option<&str>,
) -> Result<Vec<Attribute>, LegacyCode> {
    let result = match key {
        Some(k) => client.get_user_attributes_by_keys(account, &[k]).await,
        None => client.get_user_attributes(account).await,
    };
    result.map_err(translate::attribute_failure)
}

/// `get_attr` (`op`) / `get_user_attr`: `on_user_attr_result(account, name, value)`.
pub(crate) async fn report_attr(
    out: &Dispatch,
    client: &Client,
    op: &'static str,
    account: String,
    name: String,
) {
    match read_attrs(client, &account, Some(&name)).await {
        Ok(attrs) => {
            let value = attrs.into_iter().next().map(|a| a.value).unwrap_or_default();
            out.emit(move |c| c.on_user_attr_result(&account, &name, &value)).await
        }
        Err(code) if not_logged_in(code) => {}
        Err(code) => {
            let code = code.code();
            out.emit(move |c| c.on_error(op, code, "attribute read failed")).await
        }
    }
}

/// `get_attr_all` (`op`) / `get_user_attr_all`: `on_user_attr_all_result(account, json)`.
pub(crate) async fn report_attr_all(out: &Dispatch, client: &Client, op: &'static str, account: String) {
    match read_attrs(client, &account, None).await {
        Ok(attrs) => {
            let json = attrs_json(&attrs);
            out.emit(move |c| c.on_user_attr_all_result(&account, &json)).await
        }
        Err(code) if not_logged_in(code) => {}
        Err(code) => {
            let code = code.code();
            out.emit(move |c| c.on_error(op, code, "attribute read failed")).await
        }
    }
}

/// A JSON object of attributes, as `on_user_attr_all_result` carries it.
pub(crate) fn attrs_json(attrs: &[Attribute]) -> String {
    let map: BTreeMap<&str, &str> = attrs.iter().map(|a| (a.key.as_str(), a.value.as_str())).collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

/// The member count of a channel; `None` for the client means not logged in.
pub(crate) async fn member_count(client: Option<&Client>, channel_id: &str) -> Result<usize, LegacyCode> {
    let Some(client) = client else {
        return Err(translate::member_count_failure(sigshim::error::ChannelMemberCountError::NotLoggedIn));
    };
    match client.get_channel_member_count(&[channel_id]).await {
        Ok(counts) => Ok(counts.first().map_or(0, |c| c.count)),
        Err(e) => Err(translate::member_count_failure(e)),
    }
}

/// `channel_query_user_num`: `on_channel_query_user_num_result(channel_id, code, num)`.
pub(crate) async fn report_member_count(out: &Dispatch, client: Option<&Client>, channel_id: String) {
    let (code, num) = match member_count(client, &channel_id).await {
        Ok(n) => (LegacyCode::Success.code(), i32::try_from(n).unwrap_or(i32::MAX)),
        Err(code) => (code.code(), 0),
    };
    out.emit(move |c| c.on_channel_query_user_num_result(&channel_id, code, num)).await;
}

/// Whether `account` is in the channel.
pub(crate) async fn user_is_in(client: &Client, channel_id: &str, account: &str) -> Result<bool, LegacyCode> {
    client.is_channel_member(channel_id, account).await.map_err(translate::member_count_failure)
}

/// `channel_query_user_is_in`: `on_channel_query_user_is_in(channel_id, account, 1 | 0)`.
pub(crate) async fn report_user_is_in(out: &Dispatch, client: &Client, channel_id: String, account: String) {
    const OP: &str = "channel_query_user_is_in";
    match user_is_in(client, &channel_id, &account).await {
        Ok(is_in) => {
            let is_in = i32::from(is_in);
            out.emit(move |c| c.on_channel_query_user_is_in(&channel_id, &account, is_in)).await
        }
        Err(code) if not_logged_in(code) => {}
        Err(code) => {
            let code = code.code();
            out.emit(move |c| c.on_error(OP, code, "membership query failed")).await
        }
    }
}

/// Runs a channel attribute operation (always notifying the members).
pub(crate) async fn write_channel_attr(
    client: &Client,
    channel_id: &str,
    op: &AttrOp,
) -> Result<(), LegacyCode> {
    let result = match op {
        AttrOp::Set { name, value } => {
            client.add_or_update_channel_attributes(channel_id, &[Attribute::new(name, value)], NOTIFY).await
        }
        AttrOp::Del { name } => client.delete_channel_attributes_by_keys(channel_id, &[name], NOTIFY).await,
        AttrOp::Clear => client.clear_channel_attributes(channel_id, NOTIFY).await,
    };
    result.map_err(translate::attribute_failure)
}

/// `channel_set_attr` / `channel_del_attr` / `channel_clear_attr`: the members' callbacks come
/// as channel events; a failure is `on_error(call, code, …)`.
pub(crate) async fn report_channel_attr(out: &Dispatch, client: &Client, channel_id: String, op: AttrOp) {
    let Err(code) = write_channel_attr(client, &channel_id, &op).await else { return };
    if !not_logged_in(code) {
        let (name, code) = (op.name(), code.code());
        out.emit(move |c| c.on_error(name, code, "channel attribute update failed")).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_become_one_sorted_json_object() {
        assert_eq!(attrs_json(&[Attribute::new("b", "2"), Attribute::new("a", "1")]), r#"{"a":"1","b":"2"}"#);
        assert_eq!(attrs_json(&[]), "{}");
    }
}
