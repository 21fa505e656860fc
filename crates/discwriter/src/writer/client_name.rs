//! The client name a writer and an eraser give the drive's exclusive access
//! (CDROM_EXCLUSIVE_ACCESS), checked as IMAPI checks it.

/// The longest client name: CDROM_EXCLUSIVE_CALLER_LENGTH is 64 bytes, the terminating NUL
/// included.
const CLIENT_NAME_MAX: usize = 63;

/// IMAPI's client-name rule (CDROM_EXCLUSIVE_ACCESS): 1 to 63 characters of
/// `[0-9A-Za-z]`, space, `.`, `,`, `:`, `;`, `_` and `-`.
pub fn validate_client_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.chars().count() > CLIENT_NAME_MAX {
        return Err("it is longer than 63 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " .,:;_-".contains(c))
    {
        return Err("only letters, digits, space and . , : ; _ - are allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_follow_imapi_rules() {
        assert!(validate_client_name("IMAPIv2 TEST").is_ok());
        assert!(validate_client_name("backup-tool_2.1: nightly;").is_ok());
        assert!(validate_client_name("").is_err());
        assert!(validate_client_name(&"x".repeat(64)).is_err());
        assert!(validate_client_name(&"x".repeat(63)).is_ok());
        assert!(validate_client_name("tab\there").is_err());
        assert!(validate_client_name("ümlaut").is_err());
    }
}
