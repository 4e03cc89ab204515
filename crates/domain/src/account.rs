//! Accounts: the business, its agents, their roles, and the rules for creating them.

use crate::{DomainError, Id, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Admin,
    Agent,
}

/// Where an account stands: invited agents have not chosen a password yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountStatus {
    Invited,
    Active,
    Deactivated,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Agent {
    pub id: Id,
    pub name: String,
    /// Always stored lower-case and trimmed, so one person has one account.
    pub email: String,
    pub role: Role,
    pub status: AccountStatus,
    pub created_at: Timestamp,
    /// Which desktop notifications they want.
    #[serde(default)]
    pub notifications: crate::notification::NotificationSettings,
    /// The agent app's language, "en", "es" or "it"; none: the browser's.
    #[serde(default)]
    pub language: Option<String>,
}

impl Agent {
    pub fn can_log_in(&self) -> bool {
        self.status == AccountStatus::Active
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Business {
    pub name: String,
    pub created_at: Timestamp,
}

/// What the first start asks for: the business and its first admin.
#[derive(Debug, Clone, Deserialize, ts_rs::TS, utoipa::ToSchema)]
#[ts(export)]
pub struct SetupRequest {
    pub business_name: String,
    pub admin_name: String,
    pub email: String,
    pub password: String,
}

/// An admin's invitation of a colleague, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgent {
    pub name: String,
    pub email: String,
    pub role: Role,
}

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;
const MAX_NAME_CHARS: usize = 120;

impl SetupRequest {
    /// The business name and admin, cleaned, or the first thing wrong with them.
    pub fn validate(&self) -> Result<(String, NewAgent), DomainError> {
        let business = clean_name("business_name", &self.business_name)?;
        let admin = NewAgent::new(&self.admin_name, &self.email, Role::Admin)?;
        validate_password(&self.password)?;
        Ok((business, admin))
    }
}

impl NewAgent {
    pub fn new(name: &str, email: &str, role: Role) -> Result<Self, DomainError> {
        Ok(Self { name: clean_name("name", name)?, email: normalize_email(email)?, role })
    }
}

fn clean_name(field: &'static str, raw: &str) -> Result<String, DomainError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(field, format!("must be at most {MAX_NAME_CHARS} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "must not contain control characters"));
    }
    Ok(name.to_string())
}

/// Trims and lower-cases an email address after a plausibility check: something@domain.tld,
/// no spaces. Real deliverability is the mail server's business.
pub fn normalize_email(raw: &str) -> Result<String, DomainError> {
    let email = raw.trim().to_lowercase();
    let bad =
        || DomainError::invalid("email", format!("'{}' is not an email address like ana@example.com", raw.trim()));
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !domain.contains("..");
    if local.is_empty() || !domain_ok {
        return Err(bad());
    }
    Ok(email)
}

pub fn validate_password(password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(DomainError::invalid("password", format!("must be at most {MAX_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased_so_one_person_has_one_account() {
        assert_eq!(normalize_email("  Ana@Example.COM ").unwrap(), "ana@example.com");
    }

    #[test]
    fn implausible_emails_are_refused_with_the_address_in_the_message() {
        for bad in ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "ana@example..com", "ana@.com"]
        {
            let err = normalize_email(bad).expect_err(bad);
            assert!(err.to_string().starts_with("email:"), "{bad}: {err}");
        }
    }

    #[test]
    fn setup_needs_a_business_name_and_a_long_enough_password() {
        let mut req = SetupRequest {
            business_name: " Acme ".into(),
            admin_name: "Ana".into(),
            email: "ana@acme.test".into(),
            password: "correct horse".into(),
        };
        let (business, admin) = req.validate().unwrap();
        assert_eq!(business, "Acme");
        assert_eq!(admin.role, Role::Admin);

        req.password = "short".into();
        assert_eq!(req.validate().unwrap_err().to_string(), "password: must be at least 8 characters");
        req.password = "long enough".into();
        req.business_name = "   ".into();
        assert_eq!(req.validate().unwrap_err().to_string(), "business_name: must not be empty");
    }

    #[test]
    fn only_active_accounts_can_log_in() {
        let mut agent = Agent {
            id: Id(1),
            name: "Ana".into(),
            email: "ana@acme.test".into(),
            role: Role::Agent,
            status: AccountStatus::Invited,
            created_at: Timestamp(0),
            notifications: Default::default(),
            language: None,
        };
        assert!(!agent.can_log_in());
        agent.status = AccountStatus::Active;
        assert!(agent.can_log_in());
        agent.status = AccountStatus::Deactivated;
        assert!(!agent.can_log_in());
    }
}
