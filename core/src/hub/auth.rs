//! Login admission: app ID, user ID and token checks.

use crate::error::LoginError;
use crate::limits::{is_valid_app_id, validate_id};
use crate::protocol::LoginRequest;
use crate::token::{self, TokenError};

use super::{Hub, HubConfig};

/// The token value legacy apps pass when the project has no certificate.
pub(crate) const NO_NEED_TOKEN: &str = "_no_need_token";

/// Checks a login; on success returns when the token's login privilege ends (Unix seconds).
pub(crate) fn admit(
    config: &HubConfig,
    login: &LoginRequest,
    now_unix: u64,
) -> Result<Option<u64>, LoginError> {
    if !is_valid_app_id(&login.app_id) || login.app_id != config.app_id {
        return Err(LoginError::InvalidAppId);
    }
    validate_id(&login.user_id, config.limits_for(login.profile).max_id_bytes)
        .map_err(|_| LoginError::InvalidArgument)?;
    check_token(config, &login.user_id, login.token.as_deref(), now_unix)
}

/// Checks that `token` logs `user_id` in at `now_unix`; on success returns when its login
/// privilege ends (Unix seconds). Without a certificate any token, or none, is accepted, as the
/// legacy service did.
fn check_token(
    config: &HubConfig,
    user_id: &str,
    token: Option<&str>,
    now_unix: u64,
) -> Result<Option<u64>, LoginError> {
    let Some(cert) = config.app_certificate.as_deref() else {
        return Ok(None);
    };
    let token = match token {
        None | Some("") | Some(NO_NEED_TOKEN) => return Err(LoginError::InvalidToken),
        Some(t) => t,
    };
    match token::verify_login_token(token, &config.app_id, cert, user_id, now_unix) {
        Ok(v) => Ok(v.expires_at),
        Err(TokenError::Expired) => Err(LoginError::TokenExpired),
        Err(_) => Err(LoginError::InvalidToken),
    }
}

impl Hub {
    /// Checks that `token` would log `user_id` in now, as at login: a token of the user's,
    /// signed with the hub's App Certificate and not expired. Without a certificate any token,
    /// or none, passes. A network resume shows one besides its ticket (see [`Hub::resume`]).
    pub fn verify_token(&self, user_id: &str, token: Option<&str>) -> Result<(), LoginError> {
        check_token(&self.inner.config, user_id, token, super::unix_now().as_secs()).map(drop)
    }
}

/// Checks a renewal token for an existing session; same rules as at login.
pub(crate) fn renew(
    config: &HubConfig,
    user_id: &str,
    token: &str,
    now_unix: u64,
) -> Result<Option<u64>, crate::error::RenewTokenError> {
    use crate::error::RenewTokenError as E;
    if token.is_empty() {
        return Err(E::InvalidArgument);
    }
    let Some(cert) = config.app_certificate.as_deref() else { return Ok(None) };
    match token::verify_login_token(token, &config.app_id, cert, user_id, now_unix) {
        Ok(v) => Ok(v.expires_at),
        Err(TokenError::Expired) => Err(E::TokenExpired),
        Err(_) => Err(E::InvalidToken),
    }
}
