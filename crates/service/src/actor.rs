//! Who is acting, and what each role may do: the only place authorisation is decided.

use haibun_domain::workflow::{Action, Role, WorkflowError, YearAction};

use crate::{ServiceError, ServiceResult};

/// The user a use case acts for, in which role, and (for ministry users) for which ministry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's name.
    pub name: String,
    /// The role.
    pub role: Role,
    /// The ministry a `ministry` user is bound to.
    pub ministry: Option<String>,
}

impl Actor {
    /// The built-in system administrator: whoever holds the database file or URL.
    pub fn system() -> Actor {
        Actor { name: "system".into(), role: Role::Admin, ministry: None }
    }

    /// May this actor take a package action on `ministry`'s package? (The package's state is
    /// checked separately, by the workflow.)
    pub(crate) fn check_package(&self, action: Action, ministry: &str) -> ServiceResult<()> {
        if !action.roles().contains(&self.role) {
            return Err(WorkflowError::Forbidden { role: self.role, action }.into());
        }
        if self.role == Role::Ministry && self.ministry.as_deref() != Some(ministry) {
            return Err(ServiceError::Forbidden(format!(
                "{} は {} の利用者で、{ministry} の要求は扱えません / {} belongs to {} and may not act on {ministry}'s requests",
                self.name,
                self.ministry.as_deref().unwrap_or("-"),
                self.name,
                self.ministry.as_deref().unwrap_or("-")
            )));
        }
        Ok(())
    }

    /// May this actor take a year-wide action?
    pub(crate) fn check_year(&self, action: YearAction) -> ServiceResult<()> {
        if action.roles().contains(&self.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = action.roles().iter().map(|r| r.name()).collect();
            Err(ServiceError::Forbidden(format!(
                "役割 {} は「{action}」を行えません（可能: {}）/ role {} may not {action} (allowed: {})",
                self.role,
                allowed.join(", "),
                self.role,
                allowed.join(", ")
            )))
        }
    }

    /// The only ministry whose requests this actor may read, if it is limited to one.
    pub(crate) fn read_scope(&self) -> Option<&str> {
        (self.role == Role::Ministry).then(|| self.ministry.as_deref().unwrap_or("\u{0}"))
    }

    /// Checks that this actor may read `ministry`'s requests (or all, when `None`).
    pub(crate) fn check_read(&self, ministry: Option<&str>) -> ServiceResult<()> {
        match (self.read_scope(), ministry) {
            (None, _) => Ok(()),
            (Some(own), Some(m)) if own == m => Ok(()),
            (Some(own), _) => Err(ServiceError::Forbidden(format!(
                "{} は {own} の要求のみ閲覧できます / {} may read only {own}'s requests",
                self.name, self.name
            ))),
        }
    }
}

impl From<WorkflowError> for ServiceError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::Forbidden { .. } => ServiceError::Forbidden(e.to_string()),
            WorkflowError::NotNow { .. } => ServiceError::Conflict(e.to_string()),
        }
    }
}
