-- A team's settings (sessions between reviews, who else is offered the partner pathway) are
-- shown in its families' records. Changing one raises this count, not every family's own
-- change count: a copy of a record is labelled with both (see `cache.rs`).
ALTER TABLE teams ADD COLUMN settings_changes INTEGER NOT NULL DEFAULT 0;
