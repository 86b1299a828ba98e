//! The `invoke` method and the function names it accepts.
//!
//! Every answer is `on_invoke_ret(call_id, err, resp)`: on success `err` is empty and `resp` the
//! legacy JSON shape; on failure `err` is `"N: reason"` with a legacy code `N`, and `resp` is `{}`.

use super::entry::Area::Invoke;
use super::entry::CatalogEntry;
use super::entry::ItemKind::{Invoke as Function, Method};
use super::entry::Strategy::{Direct, Emulated, Unsupported};

pub(super) const ROWS: &[CatalogEntry] = &[
    CatalogEntry {
        legacy_name: "invoke",
        facade: "invoke",
        kind: Method,
        area: Invoke,
        core: "the rows below",
        strategy: Emulated,
        note: r#"Dispatches on `name` and answers `on_invoke_ret(call_id, err, resp)`; a failure has `err` = "N: reason" with a legacy code N and `resp` = `{}`; an unknown name or bad JSON gives 1004."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.user_query_user_status",
        facade: "io.agora.signal.user_query_user_status",
        kind: Function,
        area: Invoke,
        core: "`Client::query_peers_online_status`",
        strategy: Emulated,
        note: r#"`{"account":A}` gives `{"result":"ok","account":A,"status":1}` (0 when offline)."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.user_set_attr",
        facade: "io.agora.signal.user_set_attr",
        kind: Function,
        area: Invoke,
        core: "`Client::add_or_update_local_user_attributes`, `Client::delete_local_user_attributes_by_keys`",
        strategy: Emulated,
        note: r#"`{"name":N,"value":V}` gives `{"result":"ok"}`; an empty value removes the key."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.user_get_attr",
        facade: "io.agora.signal.user_get_attr",
        kind: Function,
        area: Invoke,
        core: "`Client::get_user_attributes_by_keys`",
        strategy: Emulated,
        note: r#"`{"account":A,"name":N}` gives `{"result":"ok","account":A,"name":N,"value":V}`."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.user_get_attr_all",
        facade: "io.agora.signal.user_get_attr_all",
        kind: Function,
        area: Invoke,
        core: "`Client::get_user_attributes`",
        strategy: Emulated,
        note: r#"`{"account":A}` gives `{"result":"ok","account":A,"attrs":{…}}`, the attributes as one object of strings."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_query_num",
        facade: "io.agora.signal.channel_query_num",
        kind: Function,
        area: Invoke,
        core: "`Client::get_channel_member_count`",
        strategy: Direct,
        note: r#"`{"name":C}` gives `{"result":"ok","name":C,"num":n}`; no membership needed; failures give `on_invoke_ret(call_id, "500: …", "{}")` (1003 before login)."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_query_user_isin",
        facade: "io.agora.signal.channel_query_user_isin",
        kind: Function,
        area: Invoke,
        core: "`Client::is_channel_member` (extension)",
        strategy: Direct,
        note: r#"`{"name":C,"account":A}` gives `{"result":"ok","name":C,"account":A,"isin":1}` (0 when absent); failures give `on_invoke_ret(call_id, "500: …", "{}")`."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_query_userlist",
        facade: "io.agora.signal.channel_query_userlist",
        kind: Function,
        area: Invoke,
        core: "`Channel::get_members`",
        strategy: Emulated,
        note: r#"`{"name":C}` gives `{"result":"ok","name":C,"num":n,"list":[…]}`, latest members first, at most 512 as in RTM; the core lists members only for a joined channel, so other channels give `on_invoke_ret(call_id, "1001: …", "{}")`."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_query_userlist_all",
        facade: "io.agora.signal.channel_query_userlist_all",
        kind: Function,
        area: Invoke,
        core: "—",
        strategy: Unsupported,
        note: r#"A deprecated server-side bulk listing; answered by `on_invoke_ret(call_id, "1001: unsupported …", "{}")`."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_set_attr",
        facade: "io.agora.signal.channel_set_attr",
        kind: Function,
        area: Invoke,
        core: "`Client::add_or_update_channel_attributes`",
        strategy: Direct,
        note: r#"`{"channel":C,"name":N,"value":V}` gives `{"result":"ok"}`; members are notified as for `channel_set_attr`; failures give `on_invoke_ret(call_id, "N: …", "{}")` with `translate::attribute_failure`."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_del_attr",
        facade: "io.agora.signal.channel_del_attr",
        kind: Function,
        area: Invoke,
        core: "`Client::delete_channel_attributes_by_keys`",
        strategy: Direct,
        note: r#"`{"channel":C,"name":N}` gives `{"result":"ok"}`; failures give `on_invoke_ret(call_id, "N: …", "{}")`."#,
    },
    CatalogEntry {
        legacy_name: "io.agora.signal.channel_clear_attr",
        facade: "io.agora.signal.channel_clear_attr",
        kind: Function,
        area: Invoke,
        core: "`Client::clear_channel_attributes`",
        strategy: Direct,
        note: r#"`{"channel":C}` gives `{"result":"ok"}`; failures give `on_invoke_ret(call_id, "N: …", "{}")`."#,
    },
];
