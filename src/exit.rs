//! Exit codes of the command line, so scripts can tell failures apart.

/// The command line was wrong (clap's own code).
pub(crate) const USAGE: u8 = 2;
/// The arguments were refused before anything was sent.
pub(crate) const INVALID_ARGUMENTS: u8 = 3;
/// GHL answered with an error status.
pub(crate) const GHL_ERROR: u8 = 4;
/// GHL could not be reached, or the configuration is unusable.
pub(crate) const NETWORK_OR_CONFIG: u8 = 5;
/// A batch ran, but some items failed or were skipped.
pub(crate) const SOME_ITEMS_FAILED: u8 = 6;
/// Anything else.
pub(crate) const INTERNAL: u8 = 70;
