//! The services an AccessToken2 (007) can carry, and their wire encoding.
//!
//! Every service starts with its `u16` type id and its privilege map; the
//! rest ("tail") depends on the type. A parser cannot know the length of a
//! tail it does not understand, so parsing stops at the first unknown type.

use std::collections::BTreeMap;

use crate::token::TokenError;
use crate::token::bytes::{Reader, Writer};

/// Service type id of [`Service::Rtc`].
pub const SERVICE_RTC: u16 = 1;
/// Service type id of [`Service::Rtm`].
pub const SERVICE_RTM: u16 = 2;
/// Service type id of [`Service::Streaming`].
pub const SERVICE_STREAMING: u16 = 3;
/// Service type id of [`Service::Fpa`].
pub const SERVICE_FPA: u16 = 4;
/// Service type id of [`Service::Chat`].
pub const SERVICE_CHAT: u16 = 5;
/// Service type id of [`Service::FCdn`].
pub const SERVICE_FCDN: u16 = 6;
/// Service type id of [`Service::Apaas`].
pub const SERVICE_APAAS: u16 = 7;
/// Service type id of [`Service::Rtm2`].
pub const SERVICE_RTM2: u16 = 8;
/// Service type id of [`Service::ConvoAi`].
pub const SERVICE_CONVOAI: u16 = 9;
/// Service type id of [`Service::Stt`].
pub const SERVICE_STT: u16 = 10;

/// Rtm privilege: log in (the value is seconds after `issue_ts`).
pub const RTM_PRIVILEGE_LOGIN: u16 = 1;
/// Rtc privilege: join a channel.
pub const RTC_PRIVILEGE_JOIN_CHANNEL: u16 = 1;
/// Rtc privilege: publish audio.
pub const RTC_PRIVILEGE_PUBLISH_AUDIO: u16 = 2;
/// Rtc privilege: publish video.
pub const RTC_PRIVILEGE_PUBLISH_VIDEO: u16 = 3;
/// Rtc privilege: publish data streams.
pub const RTC_PRIVILEGE_PUBLISH_DATA: u16 = 4;

/// Privilege id to expiry, in seconds relative to the token's `issue_ts`.
pub type Privileges = BTreeMap<u16, u32>;

/// Rtm2 resource permissions: resource type -> permission type -> resources.
/// Both levels are written in ascending key order; resources keep their order.
pub type Rtm2Permissions = BTreeMap<u16, BTreeMap<u16, Vec<String>>>;

/// One service entry of an AccessToken2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// RTC (type 1): media in one channel.
    Rtc {
        /// Channel name.
        channel_name: String,
        /// Uid as a string; see [`crate::token::rtc_uid_string`].
        uid: String,
        /// Privileges (join, publish audio / video / data).
        privileges: Privileges,
    },
    /// RTM (type 2): messaging login for one user.
    Rtm {
        /// RTM user id (at most 64 bytes for the official SDKs).
        user_id: String,
        /// Privileges; [`RTM_PRIVILEGE_LOGIN`] is what login needs.
        privileges: Privileges,
    },
    /// Media streaming (type 3).
    Streaming {
        /// Channel name.
        channel_name: String,
        /// User account or uid string.
        account: String,
        /// Privileges (publish mixed stream 1, publish raw stream 2).
        privileges: Privileges,
    },
    /// Full-path acceleration (type 4).
    Fpa {
        /// Privileges (login 1).
        privileges: Privileges,
    },
    /// Chat (type 5).
    Chat {
        /// Chat user id (empty for app-level tokens).
        user_id: String,
        /// Privileges (user 1, app 2).
        privileges: Privileges,
    },
    /// Fusion CDN (type 6).
    FCdn {
        /// Channel name.
        channel_name: String,
        /// User account or uid string.
        account: String,
        /// Privileges (publish 1, play 2).
        privileges: Privileges,
    },
    /// aPaaS / Flexible Classroom (type 7).
    Apaas {
        /// Room uuid (may be empty).
        room_uuid: String,
        /// User uuid (may be empty).
        user_uuid: String,
        /// Role (-1 when unset).
        role: i16,
        /// Privileges (room user 1, user 2, app 3).
        privileges: Privileges,
    },
    /// RTM 2 with resource-level permissions (type 8).
    Rtm2 {
        /// RTM user id.
        user_id: String,
        /// Privileges.
        privileges: Privileges,
        /// Per-resource permissions.
        permissions: Rtm2Permissions,
    },
    /// Conversational AI (type 9).
    ConvoAi {
        /// Privileges.
        privileges: Privileges,
    },
    /// Speech to text (type 10).
    Stt {
        /// Privileges.
        privileges: Privileges,
    },
}

impl Service {
    /// The wire type id of this service.
    pub fn service_type(&self) -> u16 {
        match self {
            Self::Rtc { .. } => SERVICE_RTC,
            Self::Rtm { .. } => SERVICE_RTM,
            Self::Streaming { .. } => SERVICE_STREAMING,
            Self::Fpa { .. } => SERVICE_FPA,
            Self::Chat { .. } => SERVICE_CHAT,
            Self::FCdn { .. } => SERVICE_FCDN,
            Self::Apaas { .. } => SERVICE_APAAS,
            Self::Rtm2 { .. } => SERVICE_RTM2,
            Self::ConvoAi { .. } => SERVICE_CONVOAI,
            Self::Stt { .. } => SERVICE_STT,
        }
    }

    /// The privilege map of this service.
    pub fn privileges(&self) -> &Privileges {
        match self {
            Self::Rtc { privileges, .. }
            | Self::Rtm { privileges, .. }
            | Self::Streaming { privileges, .. }
            | Self::Fpa { privileges }
            | Self::Chat { privileges, .. }
            | Self::FCdn { privileges, .. }
            | Self::Apaas { privileges, .. }
            | Self::Rtm2 { privileges, .. }
            | Self::ConvoAi { privileges }
            | Self::Stt { privileges } => privileges,
        }
    }

    /// Appends the type id, privileges and tail to `w`.
    pub(super) fn write(&self, w: &mut Writer) -> Result<(), TokenError> {
        w.u16(self.service_type()).map(self.privileges())?;
        match self {
            Self::Rtc { channel_name: a, uid: b, .. }
            | Self::Streaming { channel_name: a, account: b, .. }
            | Self::FCdn { channel_name: a, account: b, .. } => {
                w.str(a)?.str(b)?;
            }
            Self::Rtm { user_id, .. } | Self::Chat { user_id, .. } => {
                w.str(user_id)?;
            }
            Self::Apaas { room_uuid, user_uuid, role, .. } => {
                w.str(room_uuid)?.str(user_uuid)?.i16(*role);
            }
            Self::Rtm2 { user_id, permissions, .. } => {
                w.str(user_id)?;
                write_rtm2_permissions(w, permissions)?;
            }
            Self::Fpa { .. } | Self::ConvoAi { .. } | Self::Stt { .. } => {}
        }
        Ok(())
    }

    /// Reads the body of a service whose type id was just read.
    ///
    /// Returns `Ok(None)` for a type this module does not know.
    pub(super) fn read(service_type: u16, r: &mut Reader<'_>) -> Result<Option<Self>, TokenError> {
        if !(SERVICE_RTC..=SERVICE_STT).contains(&service_type) {
            return Ok(None);
        }
        let privileges = r.map()?;
        let service = match service_type {
            SERVICE_RTC => Self::Rtc { channel_name: r.string()?, uid: r.string()?, privileges },
            SERVICE_RTM => Self::Rtm { user_id: r.string()?, privileges },
            SERVICE_STREAMING => {
                Self::Streaming { channel_name: r.string()?, account: r.string()?, privileges }
            }
            SERVICE_FPA => Self::Fpa { privileges },
            SERVICE_CHAT => Self::Chat { user_id: r.string()?, privileges },
            SERVICE_FCDN => Self::FCdn { channel_name: r.string()?, account: r.string()?, privileges },
            SERVICE_APAAS => {
                Self::Apaas { room_uuid: r.string()?, user_uuid: r.string()?, role: r.i16()?, privileges }
            }
            SERVICE_RTM2 => {
                Self::Rtm2 { user_id: r.string()?, privileges, permissions: read_rtm2_permissions(r)? }
            }
            SERVICE_CONVOAI => Self::ConvoAi { privileges },
            _ => Self::Stt { privileges },
        };
        Ok(Some(service))
    }
}

/// Converts a collection length to the `u16` count the format uses.
fn count(len: usize) -> Result<u16, TokenError> {
    u16::try_from(len).map_err(|_| TokenError::InvalidInput)
}

fn write_rtm2_permissions(w: &mut Writer, permissions: &Rtm2Permissions) -> Result<(), TokenError> {
    w.u16(count(permissions.len())?);
    for (&resource_type, by_permission) in permissions {
        w.u16(resource_type).u16(count(by_permission.len())?);
        for (&permission_type, resources) in by_permission {
            w.u16(permission_type).u16(count(resources.len())?);
            for resource in resources {
                w.str(resource)?;
            }
        }
    }
    Ok(())
}

fn read_rtm2_permissions(r: &mut Reader<'_>) -> Result<Rtm2Permissions, TokenError> {
    let mut permissions = Rtm2Permissions::new();
    for _ in 0..r.u16()? {
        let resource_type = r.u16()?;
        let by_permission = permissions.entry(resource_type).or_default();
        for _ in 0..r.u16()? {
            let permission_type = r.u16()?;
            // Grow with the data actually present, not with the claimed count.
            let mut resources = Vec::new();
            for _ in 0..r.u16()? {
                resources.push(r.string()?);
            }
            by_permission.insert(permission_type, resources);
        }
    }
    Ok(permissions)
}

#[cfg(test)]
mod tests;
