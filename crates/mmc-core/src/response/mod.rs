//! The data a drive returns (data-in) and the parameter lists a host sends (data-out).
