//! Who is acting.

/// The user a use case acts for, and in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's name.
    pub name: String,
    /// The role, as recorded in the audit trail.
    pub role: String,
}

impl Actor {
    /// The built-in system administrator: whoever holds the database file or URL.
    pub fn system() -> Actor {
        Actor { name: "system".into(), role: "admin".into() }
    }
}
