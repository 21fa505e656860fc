//! Command descriptor blocks: one typed struct per MMC/SPC command a writer sends.
