//! Login admission: app ID, user ID and token checks.

use crate::error::LoginError;
use crate::limits::{is_valid_app_id, validate_id};
use crate::protocol::LoginRequest;
use crate::token::{self, TokenError};

use super::HubConfig;

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
    let Some(cert) = config.app_certificate.as_deref() else {
        // Without a certificate any token value is accepted, as the legacy service did.
        return Ok(None);
    };
    let token = match login.token.as_deref() {
        None | Some("") | Some(NO_NEED_TOKEN) => return Err(LoginError::InvalidToken),
        Some(t) => t,
    };
    match token::verify_login_token(token, &config.app_id, cert, &login.user_id, now_unix) {
        Ok(v) => Ok(v.expires_at),
        Err(TokenError::Expired) => Err(LoginError::TokenExpired),
        Err(_) => Err(LoginError::InvalidToken),
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
