//! A second factor at sign-in: time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second
//! steps, 6 digits), as every authenticator app makes them.
//!
//! Optional for everyone, required for administrators (at every sign-in; one without a second
//! factor sets it up before their first session begins) and for emergency access to another
//! team's record (a current code with the reason). A code is accepted once: its time step is
//! kept, and a code of that step or an earlier one is refused afterwards. A wrong code counts
//! as a failed sign-in towards the account's lockout.

use crate::auth::NewSession;
use crate::secrets::{random_token, token_hash};
use crate::{Actor, AppError, Cradle};
use cradle_domain::{AuditAction, Role, Staff, StaffId, SubjectKind};
use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

const STEP_MILLIS: i64 = 30_000;
const DIGITS: u32 = 6;
/// A sign-in waiting for its code lasts this long.
const CHALLENGE_MILLIS: i64 = 5 * 60 * 1000;

/// Whether an account must use a second factor to sign in.
pub fn required_for(staff: &Staff) -> bool {
    staff.role == Role::Administrator && !staff.service_account
}

/// A new secret: 160 random bits, in base32 as authenticator apps take it.
pub fn new_secret() -> Result<String, AppError> {
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(BASE32_NOPAD.encode(&bytes))
}

/// The address an authenticator app reads (from a QR code or typed in) to add the account.
pub fn authenticator_uri(secret: &str, username: &str) -> String {
    format!(
        "otpauth://totp/Cradle:{username}?secret={secret}&issuer=Cradle&algorithm=SHA1&digits={DIGITS}&period={}",
        STEP_MILLIS / 1000
    )
}

fn secret_bytes(secret: &str) -> Option<Vec<u8>> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    BASE32_NOPAD
        .decode(cleaned.trim_end_matches('=').as_bytes())
        .ok()
        .filter(|bytes| bytes.len() >= 10)
}

/// The code for one time step (RFC 4226's dynamic truncation), `digits` long.
fn code_for_step(key: &[u8], step: i64, digits: u32) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.get(19)? & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let number = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    Some(number % 10u32.pow(digits))
}

/// The code an authenticator app shows at `now_millis`: for the demonstration's sign-in page
/// and for tests, which stand in for the app.
pub fn current_code(secret: &str, now_millis: i64) -> Option<String> {
    let key = secret_bytes(secret)?;
    let code = code_for_step(&key, now_millis.div_euclid(STEP_MILLIS), DIGITS)?;
    Some(format!("{code:06}"))
}

/// The time step a typed code belongs to: now's, or the one either side (a clock a little
/// out, or a code typed as it changed). `None` if the code matches none of them.
pub fn matching_step(secret: &str, typed: &str, now_millis: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = typed.parse().ok()?;
    let key = secret_bytes(secret)?;
    let now = now_millis.div_euclid(STEP_MILLIS);
    [now, now - 1, now + 1].into_iter().find(|step| {
        code_for_step(&key, *step, DIGITS).is_some_and(|code| {
            // In constant time: a refusal's timing says nothing of the right code.
            bool::from(code.to_be_bytes().ct_eq(&typed.to_be_bytes()))
        })
    })
}

/// What a sign-in needs after a right password.
#[derive(Debug, Clone)]
pub enum SignInStep {
    /// Signed in.
    Session(NewSession),
    /// A code is needed. `set_up` holds a new secret when the account must set one up first.
    SecondFactor {
        challenge: String,
        set_up: Option<String>,
        username: String,
    },
}

/// Why a code was refused, in words that say what to do: a code of the wrong shape, one
/// used already (it was right, so the phone is fine), or one that is simply not right.
fn code_refused(typed: &str, used_already: bool) -> AppError {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let message = if used_already {
        "That code has been used already: a code works once. Wait for your authenticator app to show the next one (within 30 seconds) and enter that"
    } else if digits.len() != DIGITS as usize || !digits.chars().all(|c| c.is_ascii_digit()) {
        "Enter the 6 digits your authenticator app shows now, for example 123456"
    } else {
        "The code is not right. Enter the 6-digit code your authenticator app shows now for Cradle"
    };
    AppError::invalid("code", message)
}

impl SignInStep {
    /// The session, when the sign-in needed no code.
    pub fn session(self) -> Option<NewSession> {
        match self {
            SignInStep::Session(session) => Some(session),
            SignInStep::SecondFactor { .. } => None,
        }
    }
}

impl Cradle {
    /// After a right password: a session, or a challenge for the code when the account has a
    /// second factor or must have one.
    pub(crate) async fn after_password(
        &self,
        staff: Staff,
        address: &str,
    ) -> Result<SignInStep, AppError> {
        let has = self.store.second_factor(staff.id).await?.is_some();
        if !has && !required_for(&staff) {
            return Ok(SignInStep::Session(
                self.start_session(staff, address, "").await?,
            ));
        }
        let challenge = random_token()?;
        let now = self.now();
        self.store
            .create_sign_in_challenge(
                &token_hash(&challenge),
                staff.id,
                now,
                now + CHALLENGE_MILLIS,
            )
            .await?;
        Ok(SignInStep::SecondFactor {
            challenge,
            set_up: if has { None } else { Some(new_secret()?) },
            username: staff.username,
        })
    }

    /// The second step of signing in: the code from the authenticator app. `new_secret` is
    /// the secret shown when the account is setting its second factor up (ignored once it has
    /// one). A wrong code counts as a failed sign-in.
    pub async fn complete_sign_in(
        &self,
        challenge: &str,
        code: &str,
        new_secret: Option<&str>,
        address: &str,
    ) -> Result<NewSession, AppError> {
        let now = self.now();
        let hash = token_hash(challenge);
        let Some(staff_id) = self.store.sign_in_challenge(&hash, now).await? else {
            return Err(AppError::SessionExpired);
        };
        let Some(staff) = self.store.staff_by_id(staff_id).await? else {
            return Err(AppError::SessionExpired);
        };
        if staff.disabled {
            self.store.end_sign_in_challenge(&hash).await?;
            return Err(AppError::SessionExpired);
        }
        let failures_before = self.refuse_if_locked(&staff.username, address, now).await?;
        let stored = self.store.second_factor(staff.id).await?;
        let setting_up = stored.is_none();
        let Some(secret) = stored.or_else(|| new_secret.map(str::to_string)) else {
            return Err(AppError::SessionExpired);
        };
        let step = matching_step(&secret, code, now);
        if setting_up {
            if let Some(step) = step {
                let mut entry = Actor::staff(&staff, format!("http {address}")).audit(
                    now,
                    AuditAction::SecondFactorSetUp,
                    Some((SubjectKind::Staff, staff.id.0)),
                );
                entry.detail = "set up at sign-in".into();
                self.store
                    .set_second_factor(staff.id, Some(&secret), entry)
                    .await?;
                self.store.accept_second_factor_step(staff.id, step).await?;
            }
        }
        let accepted = match step {
            Some(step) if setting_up => Some(step),
            Some(step) => self
                .store
                .accept_second_factor_step(staff.id, step)
                .await?
                .then_some(step),
            None => None,
        };
        if accepted.is_none() {
            let detail = if step.is_some() {
                "second-factor code used already"
            } else {
                "wrong second-factor code"
            };
            let attempt = crate::auth::FailedAttempt {
                username: &staff.username,
                address,
                now,
                staff: Some(&staff),
                failures_before,
            };
            self.count_failure(attempt, detail).await?;
            return Err(code_refused(code, step.is_some()));
        }
        self.store.end_sign_in_challenge(&hash).await?;
        self.start_session(staff, address, "with a second factor")
            .await
    }

    /// Checks a current code for an action that needs one (emergency access). The account
    /// must have a second factor.
    pub async fn check_code(&self, actor: &Actor, code: &str) -> Result<(), AppError> {
        let Some(staff) = actor.id else {
            return Err(AppError::Unauthenticated);
        };
        let Some(secret) = self.store.second_factor(staff).await? else {
            return Err(AppError::invalid(
                "code",
                "Emergency access needs a second factor: set one up on Your account first",
            ));
        };
        if code.trim().is_empty() {
            return Err(AppError::invalid(
                "code",
                "Enter the 6-digit code your authenticator app shows now",
            ));
        }
        match matching_step(&secret, code, self.now()) {
            Some(step) if self.store.accept_second_factor_step(staff, step).await? => Ok(()),
            step => Err(code_refused(code, step.is_some())),
        }
    }

    /// The code an account's authenticator app would show now. Only the demonstration's
    /// pages ask (`cradle demo`, whose every account and record is invented), so that it can
    /// be tried without an app; a real Cradle never shows a code.
    pub async fn demonstration_code(&self, staff: StaffId) -> Result<Option<String>, AppError> {
        Ok(self
            .store
            .second_factor(staff)
            .await?
            .and_then(|secret| current_code(&secret, self.now())))
    }

    /// As [`Cradle::demonstration_code`], for the account a sign-in waiting for its code
    /// belongs to.
    pub async fn demonstration_code_for_sign_in(
        &self,
        challenge: &str,
    ) -> Result<Option<String>, AppError> {
        match self
            .store
            .sign_in_challenge(&token_hash(challenge), self.now())
            .await?
        {
            Some(staff) => self.demonstration_code(staff).await,
            None => Ok(None),
        }
    }

    /// Whether a member of staff has a second factor.
    pub async fn has_second_factor(&self, staff: StaffId) -> Result<bool, AppError> {
        Ok(self.store.second_factor(staff).await?.is_some())
    }

    /// Sets up (or replaces) the signed-in person's own second factor, confirmed by a code
    /// from the new secret.
    pub async fn set_up_second_factor(
        &self,
        actor: &Actor,
        secret: &str,
        code: &str,
    ) -> Result<(), AppError> {
        let Some(staff) = actor.id else {
            return Err(AppError::Unauthenticated);
        };
        let now = self.now();
        let Some(step) = matching_step(secret, code, now) else {
            return Err(AppError::invalid(
                "code",
                "The code is not right. Add the key to your authenticator app, then enter the 6-digit code it shows now",
            ));
        };
        let entry = actor.audit(
            now,
            AuditAction::SecondFactorSetUp,
            Some((SubjectKind::Staff, staff.0)),
        );
        self.store
            .set_second_factor(staff, Some(secret), entry)
            .await?;
        self.store.accept_second_factor_step(staff, step).await?;
        Ok(())
    }

    /// Turns the signed-in person's second factor off, with a current code. Not for those
    /// who must have one.
    pub async fn turn_off_second_factor(&self, actor: &Actor, code: &str) -> Result<(), AppError> {
        let Some(staff) = actor.id else {
            return Err(AppError::Unauthenticated);
        };
        if actor.role == Role::Administrator {
            return Err(AppError::Conflict(
                "Administrators must keep a second factor. To move it to a new phone, set it up again".into(),
            ));
        }
        self.check_code(actor, code).await?;
        let entry = actor.audit(
            self.now(),
            AuditAction::SecondFactorRemoved,
            Some((SubjectKind::Staff, staff.0)),
        );
        self.store.set_second_factor(staff, None, entry).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 key "12345678901234567890" and its 8-digit codes.
    #[test]
    fn codes_match_the_published_test_vectors() {
        let key = b"12345678901234567890";
        for (seconds, code) in [
            (59i64, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(
                code_for_step(key, seconds / 30, 8),
                Some(code),
                "at {seconds}"
            );
        }
    }

    #[test]
    fn a_code_is_accepted_for_its_step_and_the_steps_either_side_only() {
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        let at = 1_111_111_109_000;
        // The last 6 digits of the published 8-digit code.
        assert_eq!(matching_step(&secret, "081804", at), Some(at / 30_000));
        assert_eq!(
            matching_step(&secret, "081 804", at + 30_000),
            Some(at / 30_000)
        );
        assert_eq!(
            matching_step(&secret, "081804", at + 90_000),
            None,
            "too late"
        );
        assert_eq!(matching_step(&secret, "081805", at), None);
        assert_eq!(matching_step(&secret, "81804", at), None, "six digits");
        assert_eq!(matching_step("not base32!", "081804", at), None);
    }

    #[test]
    fn the_current_code_is_the_one_accepted_now() {
        let secret = new_secret().unwrap();
        let now = 1_800_000_000_000;
        let code = current_code(&secret, now).unwrap();
        assert_eq!(code.len(), 6);
        assert_eq!(matching_step(&secret, &code, now), Some(now / 30_000));
    }

    #[test]
    fn new_secrets_are_long_and_readable_by_authenticator_apps() {
        let secret = new_secret().unwrap();
        assert_eq!(secret.len(), 32);
        assert_ne!(secret, new_secret().unwrap());
        let uri = authenticator_uri(&secret, "sam.lewis");
        assert!(uri.starts_with("otpauth://totp/Cradle:sam.lewis?secret="));
        assert!(uri.contains("&period=30"));
    }
}
