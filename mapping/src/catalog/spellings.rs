//! Where an SDK spelled a legacy item differently from the native name a catalog row carries.
//!
//! A row's [`legacy_name`](super::CatalogEntry::legacy_name) is the name of the native SDKs
//! (Android `IAgoraAPI`, iOS `AgoraAPI`, `agora_sig.h`), which agree on almost every method and
//! callback. The exceptions are the instance factories, a Windows typo, and the few places where the
//! Web SDK 1.4.0 named a member of its own object model differently. Web members with the native
//! spelling (`messageInstantSend`, `channelJoin`, `onLoginSuccess`, …) need no entry here.

/// One of the legacy SDKs, as MIGRATION.md names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sdk {
    /// The JavaScript SDK (`Signal`, Session, Channel and Call objects), 1.4.0 BETA.
    Web,
    /// iOS and macOS (`AgoraSigKit`, class `AgoraAPI`; Objective-C selectors).
    Ios,
    /// Linux and macOS C++ (`agora_sig.h`, namespace `agora_sdk_cpp`).
    Cpp,
    /// Windows C++ (namespace `agora_sdk_win`).
    Windows,
    /// The plain C interface of `agora_sig.h` (`IAgoraAPIC`).
    C,
}

impl Sdk {
    /// The SDK's name in MIGRATION.md.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "Web",
            Self::Ios => "iOS",
            Self::Cpp => "C++",
            Self::Windows => "Windows",
            Self::C => "C",
        }
    }
}

/// Another SDK's name for the item whose native name is `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Spelling {
    /// The catalog row's [`legacy_name`](super::CatalogEntry::legacy_name).
    pub of: &'static str,
    /// The SDK that spelled it differently.
    pub sdk: Sdk,
    /// That SDK's name, as an application wrote it.
    pub name: &'static str,
    /// Markdown appended after the name when the difference is more than the name (may be empty).
    pub remark: &'static str,
}

const fn spelling(of: &'static str, sdk: Sdk, name: &'static str) -> Spelling {
    Spelling { of, sdk, name, remark: "" }
}

/// Every spelling that differs from the native name, grouped by row.
pub static SPELLINGS: &[Spelling] = &[
    spelling("getInstance", Sdk::Web, "Signal"),
    spelling("getInstance", Sdk::Ios, "getInstanceWithoutMedia:"),
    spelling("getInstance", Sdk::Cpp, "getAgoraSDKInstanceCPP"),
    spelling("getInstance", Sdk::Windows, "getAgoraSDKInstanceWin"),
    spelling("getInstance", Sdk::C, "getAgoraSDKInstanceC"),
    spelling("createAgoraSDKInstance", Sdk::Ios, "createSigInstance:"),
    spelling("createAgoraSDKInstance", Sdk::Cpp, "createAgoraSDKInstanceCPP"),
    spelling("createAgoraSDKInstance", Sdk::Windows, "createAgoraSDKInstanceWin"),
    spelling("createAgoraSDKInstance", Sdk::C, "createAgoraSDKInstanceC"),
    spelling("destroy", Sdk::Windows, "destory"),
    Spelling { of: "getSdkVersion", sdk: Sdk::Web, name: "getSDKVersion", remark: " (a string)" },
    spelling("getSdkVersion", Sdk::Web, "getSDKVersion_int"),
    Spelling {
        of: "login2",
        sdk: Sdk::Web,
        name: "login",
        remark: " with `reconnect_count`, `reconnect_time`",
    },
];
